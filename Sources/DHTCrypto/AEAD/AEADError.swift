/// Why an AEAD key could not be made or a ciphertext could not be opened.
public enum AEADError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A key must be exactly 32 bytes (the count found is attached).
    case wrongKeyLength(Int)
    /// A nonce must be exactly 12 bytes (the count found is attached).
    case wrongNonceLength(Int)
    /// The cipher cannot run on this machine (AES-256-GCM without AES-NI).
    case cipherUnavailable(AEADCipher)
    /// The ciphertext is shorter than its 16-byte tag (the count found is attached).
    case ciphertextTooShort(Int)
    /// The tag did not verify: wrong key, wrong nonce, wrong associated data, or altered bytes. Nothing was
    /// released.
    case authenticationFailed

    /// A short stable label for counters and logs.
    public var reason: String {
        switch self {
        case .wrongKeyLength: "wrong-key-length"
        case .wrongNonceLength: "wrong-nonce-length"
        case .cipherUnavailable: "cipher-unavailable"
        case .ciphertextTooShort: "ciphertext-too-short"
        case .authenticationFailed: "authentication-failed"
        }
    }

    /// A sentence naming what was wrong.
    public var description: String {
        switch self {
        case .wrongKeyLength(let count): "an AEAD key is 32 bytes, got \(count)"
        case .wrongNonceLength(let count): "an AEAD nonce is 12 bytes, got \(count)"
        case .cipherUnavailable(let cipher): "\(cipher) is not available on this CPU"
        case .ciphertextTooShort(let count): "a ciphertext holds at least a 16-byte tag, got \(count) bytes"
        case .authenticationFailed: "the authentication tag did not verify"
        }
    }
}
