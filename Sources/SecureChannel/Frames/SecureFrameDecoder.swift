import DHTCrypto

/// Cuts a received byte stream into frames and opens them: the array-based decoder for tests, tools and the
/// fuzzer (the NIO shell does the same over `ByteBuffer`s).
///
/// It buffers at most one frame. The first error is final: every later call throws it again.
public struct SecureFrameDecoder: Sendable {
    private var opener: SecureFrameOpener
    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: SecureFrameError?

    /// A decoder over `opener`.
    public init(opener: SecureFrameOpener) {
        self.opener = opener
    }

    /// Bytes buffered and not yet part of an opened frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func append(_ bytes: some ContiguousBytes) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        bytes.withUnsafeBytes { buffer.append(contentsOf: $0) }
    }

    /// The plaintext of the next frame, or `nil` until its bytes have all arrived. A bad length fails as soon as
    /// its 4 bytes are in.
    ///
    /// - Throws: ``SecureFrameError``; the decoder then stays failed.
    public mutating func nextFrame() throws(SecureFrameError) -> [UInt8]? {
        if let failure { throw failure }
        guard bufferedByteCount >= SecureFrame.headerByteCount else { return nil }
        var frameOpener = opener
        let first = start
        let result: Result<(plaintext: [UInt8], byteCount: Int)?, SecureFrameError> = buffer.withUnsafeBytes {
            Self.open(UnsafeRawBufferPointer(rebasing: $0[first...]), with: &frameOpener)
        }
        switch result {
        case .success(let frame?):
            opener = frameOpener
            start += frame.byteCount
            return frame.plaintext
        case .success(nil):
            return nil
        case .failure(let error):
            failure = error
            buffer = []
            start = 0
            throw error
        }
    }

    /// Opens the frame at the start of `pending` if it is all there.
    private static func open(_ pending: UnsafeRawBufferPointer, with opener: inout SecureFrameOpener)
        -> Result<(plaintext: [UInt8], byteCount: Int)?, SecureFrameError>
    {
        let length: Int
        do throws(SecureFrameError) {
            length = try SecureFrame.ciphertextByteCount(header: pending)
        } catch {
            return .failure(error)
        }
        let total = SecureFrame.headerByteCount + length
        guard pending.count >= total else { return .success(nil) }
        var failure: SecureFrameError?
        let plaintext = [UInt8](unsafeUninitializedCapacity: length - AEADCipher.tagByteCount) { output, count in
            do throws(SecureFrameError) {
                count = try opener.open(
                    frame: UnsafeRawBufferPointer(rebasing: pending[0..<total]),
                    into: UnsafeMutableRawBufferPointer(output)
                )
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { return .failure(failure) }
        return .success((plaintext, total))
    }

    /// The stream ended: throws ``SecureFrameError/truncated(byteCount:)`` if a partial frame is left over.
    public func finish() throws(SecureFrameError) {
        if let failure { throw failure }
        guard bufferedByteCount == 0 else { throw .truncated(byteCount: bufferedByteCount) }
    }
}
