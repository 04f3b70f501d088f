import DHTCrypto

/// Pulls whole frames' plaintexts out of a received byte stream: ``SecureFrameReader`` with an append-then-ask
/// interface and each plaintext as one array, for tests, tools and the fuzzer.
///
/// The first error is final: every later call throws it again. A reference type, as its reader is.
public final class SecureFrameDecoder {
    private let reader: SecureFrameReader
    private var opened: [[UInt8]] = []
    private var openedIndex = 0
    private var failure: SecureFrameError?

    /// A decoder over `opener` (its key and next nonce).
    public init(opener: SecureFrameOpener) {
        self.reader = SecureFrameReader(opener: opener)
    }

    /// Bytes received and not yet part of a frame handed out: the incomplete frame's, and those of opened frames
    /// not yet taken with ``nextFrame()``.
    public var bufferedByteCount: Int {
        opened[openedIndex...].reduce(reader.partialFrameByteCount) {
            $0 + SecureFrame.byteCount(plaintextByteCount: $1.count)
        }
    }

    /// Appends received bytes; frames they complete are opened at once (an error waits for ``nextFrame()``).
    public func append(_ bytes: some ContiguousBytes) {
        guard failure == nil else { return }
        do throws(SecureFrameError) {
            try reader.read(bytes) { opened.append($0.bytes) }
        } catch {
            failure = error
        }
    }

    /// The plaintext of the next frame, or `nil` until its bytes have all arrived. A bad length fails as soon as
    /// its 4 bytes are in, frames before it are handed out first.
    ///
    /// - Throws: ``SecureFrameError``; the decoder then stays failed.
    public func nextFrame() throws(SecureFrameError) -> [UInt8]? {
        if openedIndex < opened.count {
            defer {
                openedIndex += 1
                if openedIndex == opened.count {
                    opened.removeAll(keepingCapacity: true)
                    openedIndex = 0
                }
            }
            return opened[openedIndex]
        }
        if let failure { throw failure }
        return nil
    }

    /// The stream ended: throws ``SecureFrameError/truncated(byteCount:)`` if a partial frame is left over.
    public func finish() throws(SecureFrameError) {
        if let failure { throw failure }
        try reader.finish()
    }
}
