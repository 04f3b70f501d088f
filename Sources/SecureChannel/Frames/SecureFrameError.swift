/// Why a frame could not be sealed or opened. ``reason`` is a short stable label for counters.
///
/// A receiver that meets any of these MUST close the connection: the stream cannot be resynchronised.
public enum SecureFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A length prefix announces more than ``SecureFrame/maxCiphertextByteCount`` bytes (the length is attached).
    case tooLarge(byteCount: Int)
    /// A length prefix announces fewer bytes than the 16-byte tag (the length is attached).
    case tooShort(byteCount: Int)
    /// The tag did not verify: altered, reordered, replayed or injected bytes.
    case authenticationFailed
    /// The stream ended inside a frame (the count of bytes left over is attached).
    case truncated(byteCount: Int)
    /// A plaintext to seal is over ``SecureFrame/maxPlaintextByteCount`` (its length is attached).
    case plaintextTooLarge(byteCount: Int)
    /// 2^64 frames went one way: the nonce would repeat. Open a new connection.
    case counterExhausted

    /// A short stable label (`"too-large"`, `"authentication-failed"`, ...) for counters and logs.
    public var reason: String {
        switch self {
        case .tooLarge: "too-large"
        case .tooShort: "too-short"
        case .authenticationFailed: "authentication-failed"
        case .truncated: "truncated"
        case .plaintextTooLarge: "plaintext-too-large"
        case .counterExhausted: "counter-exhausted"
        }
    }

    /// A sentence naming what was wrong.
    public var description: String {
        switch self {
        case .tooLarge(let count): "a frame announces \(count) bytes, more than \(SecureFrame.maxCiphertextByteCount)"
        case .tooShort(let count): "a frame announces \(count) bytes, fewer than its 16-byte tag"
        case .authenticationFailed: "a frame's tag did not verify"
        case .truncated(let count): "the stream ended inside a frame (\(count) bytes left over)"
        case .plaintextTooLarge(let count): "\(count) bytes do not fit one frame (\(SecureFrame.maxPlaintextByteCount) at most)"
        case .counterExhausted: "the frame counter is exhausted"
        }
    }
}
