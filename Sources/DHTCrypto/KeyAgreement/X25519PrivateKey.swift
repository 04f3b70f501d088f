import CSodium

/// An X25519 private key (RFC 7748) with its ``publicKey``: the ephemeral half of a Diffie-Hellman key exchange.
///
/// ``description`` shows only the public key. Like ``NodeIdentity``, the secret lives in an ordinary array: it is
/// neither locked in memory nor wiped.
public struct X25519PrivateKey: Sendable, CustomStringConvertible {
    /// The length of a private key in bytes.
    public static let byteCount = 32
    /// The length of a shared secret in bytes.
    public static let sharedSecretByteCount = 32

    private let secret: [UInt8]

    /// The public key that goes with this private key.
    public let publicKey: X25519PublicKey

    /// A fresh key from the operating system's random source.
    public static func generate() -> X25519PrivateKey {
        // 32 random bytes are a valid X25519 scalar: the function clamps it.
        try! X25519PrivateKey(bytes: SecureRandom.bytes(byteCount))
    }

    /// The key whose scalar is `bytes` (clamped as RFC 7748 says, when used), for tests and injected randomness.
    ///
    /// - Throws: ``X25519Error/wrongKeyLength(_:)`` unless `bytes` is 32 bytes.
    public init(bytes: some ContiguousBytes) throws(X25519Error) {
        Sodium.ensureInitialized()
        let secret = bytes.withUnsafeBytes { [UInt8]($0) }
        guard secret.count == Self.byteCount else { throw .wrongKeyLength(secret.count) }
        var publicKey = [UInt8](repeating: 0, count: X25519PublicKey.byteCount)
        // crypto_scalarmult_base cannot fail for a 32-byte scalar.
        _ = crypto_scalarmult_base(&publicKey, secret)
        self.secret = secret
        self.publicKey = X25519PublicKey(unchecked: publicKey)
    }

    /// The 32-byte shared secret X25519(this key, `peer`).
    ///
    /// - Throws: ``X25519Error/weakPublicKey`` when the result is all zero (libsodium checks this).
    public func sharedSecret(with peer: X25519PublicKey) throws(X25519Error) -> [UInt8] {
        var shared = [UInt8](repeating: 0, count: Self.sharedSecretByteCount)
        let status = crypto_scalarmult(&shared, secret, peer.bytes)
        // libsodium returns -1 for an all-zero result; check again so the rule does not depend on its version.
        guard status == 0, shared.contains(where: { $0 != 0 }) else { throw .weakPublicKey }
        return shared
    }

    /// Names the key by its public half; never shows the secret.
    public var description: String { "X25519PrivateKey(publicKey: \(publicKey))" }
}
