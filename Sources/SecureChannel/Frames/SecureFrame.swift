import DHTCrypto

/// The constants of a secure-channel frame (docs/PROTOCOL.md, "Secure channel: frames").
///
/// A frame is a 4-byte big-endian length `L` of what follows, then `L` bytes of AEAD ciphertext ending in the
/// 16-byte tag. The length bytes are the associated data; the nonce is 4 zero bytes and the 64-bit count of
/// frames sent before in this direction.
public enum SecureFrame {
    /// The length prefix: 4 bytes, big-endian.
    public static let headerByteCount = 4
    /// Room for the header of the protocol carried in frames, on top of a 2 MiB block.
    public static let plaintextHeaderRoom = 64
    /// The largest plaintext one frame carries: 2 MiB (the largest block) plus ``plaintextHeaderRoom``.
    public static let maxPlaintextByteCount = 2 * 1024 * 1024 + plaintextHeaderRoom
    /// The largest length prefix a receiver accepts: ``maxPlaintextByteCount`` plus the 16-byte tag. A larger
    /// one MUST close the connection before any of the frame is read.
    public static let maxCiphertextByteCount = maxPlaintextByteCount + AEADCipher.tagByteCount
    /// The most bytes one frame occupies on the wire.
    public static let maxByteCount = headerByteCount + maxCiphertextByteCount

    /// The bytes on the wire of a frame carrying `plaintextByteCount` bytes.
    public static func byteCount(plaintextByteCount: Int) -> Int {
        headerByteCount + plaintextByteCount + AEADCipher.tagByteCount
    }

    /// The ciphertext length `L` a header announces, once checked against the limits.
    ///
    /// - Parameter header: at least 4 bytes; only the first 4 are read.
    /// - Throws: ``SecureFrameError/tooLarge(byteCount:)`` over ``maxCiphertextByteCount``,
    ///   ``SecureFrameError/tooShort(byteCount:)`` under the 16-byte tag.
    public static func ciphertextByteCount(header: UnsafeRawBufferPointer) throws(SecureFrameError) -> Int {
        precondition(header.count >= headerByteCount, "a frame header is 4 bytes")
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard length <= maxCiphertextByteCount else { throw .tooLarge(byteCount: length) }
        guard length >= AEADCipher.tagByteCount else { throw .tooShort(byteCount: length) }
        return length
    }
}
