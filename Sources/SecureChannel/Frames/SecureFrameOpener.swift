import DHTCrypto

/// Opens incoming frames under one direction's key, expecting them numbered from 0 in order: a frame that was
/// altered, dropped, reordered or replayed fails its tag.
public struct SecureFrameOpener: Sendable {
    let key: AEADKey
    /// How many frames were opened so far: the counter of the next nonce.
    public private(set) var frameCount: UInt64 = 0

    /// An opener whose first frame uses nonce 0.
    public init(key: AEADKey) {
        self.key = key
    }

    /// Opens one whole frame (header and ciphertext, exactly) into `output`; returns the plaintext length.
    ///
    /// `output` may start at the ciphertext's address (in-place). The counter advances only on success.
    ///
    /// - Precondition: `frame` is the header plus the length it announces (checked with
    ///   ``SecureFrame/ciphertextByteCount(header:)``), and `output` holds that length minus 16 bytes.
    /// - Throws: ``SecureFrameError/authenticationFailed``, ``SecureFrameError/counterExhausted``, or a length
    ///   error.
    public mutating func open(frame: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(SecureFrameError) -> Int
    {
        guard frame.count >= SecureFrame.headerByteCount else { throw .truncated(byteCount: frame.count) }
        let length = try SecureFrame.ciphertextByteCount(header: frame)
        precondition(frame.count == SecureFrame.headerByteCount + length, "pass exactly one frame")
        guard frameCount < .max else { throw .counterExhausted }
        let opened: Int
        do {
            opened = try key.open(
                UnsafeRawBufferPointer(rebasing: frame[SecureFrame.headerByteCount...]),
                nonce: AEADNonce(counter: frameCount),
                associatedData: UnsafeRawBufferPointer(rebasing: frame[0..<SecureFrame.headerByteCount]),
                into: output
            )
        } catch {
            throw .authenticationFailed
        }
        frameCount += 1
        return opened
    }
}
