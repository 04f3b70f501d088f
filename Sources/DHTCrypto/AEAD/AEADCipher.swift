import CSodium

/// The authenticated ciphers a secure channel can use, each with a 32-byte key, a 96-bit nonce and a 16-byte tag.
///
/// The raw values are the cipher IDs on the wire (docs/PROTOCOL.md, "Secure channel").
public enum AEADCipher: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ChaCha20-Poly1305 as in RFC 8439 (libsodium's `_ietf` variant). Fast everywhere; every node MUST support it.
    case chaCha20Poly1305 = 1
    /// AES-256-GCM (NIST SP 800-38D). libsodium offers it only on CPUs with AES-NI and PCLMUL, where it is the
    /// fastest choice.
    case aes256GCM = 2

    /// Length of a key in bytes (32 for both).
    public static let keyByteCount = 32
    /// Length of a nonce in bytes (12 for both).
    public static let nonceByteCount = 12
    /// Length of the authentication tag appended to every ciphertext (16 for both).
    public static let tagByteCount = 16

    /// Whether this machine can run the cipher: always for ChaCha20-Poly1305; for AES-256-GCM only when
    /// `crypto_aead_aes256gcm_is_available()` says the CPU has the instructions.
    public var isAvailable: Bool {
        switch self {
        case .chaCha20Poly1305:
            true
        case .aes256GCM:
            Self.aesGCMAvailable
        }
    }

    /// The ciphers this machine runs, fastest first.
    public static var available: [AEADCipher] {
        aesGCMAvailable ? [.aes256GCM, .chaCha20Poly1305] : [.chaCha20Poly1305]
    }

    private static let aesGCMAvailable: Bool = {
        Sodium.ensureInitialized()
        return crypto_aead_aes256gcm_is_available() == 1
    }()

    /// The cipher's name: `"chacha20-poly1305"` or `"aes-256-gcm"` (stable, for logs and metrics).
    public var description: String {
        switch self {
        case .chaCha20Poly1305: "chacha20-poly1305"
        case .aes256GCM: "aes-256-gcm"
        }
    }
}
