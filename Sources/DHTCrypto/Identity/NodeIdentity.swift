import CSodium

/// A node's Ed25519 identity: the private key that signs, with its ``publicKey``.
///
/// The 32-byte seed is the whole secret (the private scalar and the public key are derived from it); it is what an
/// identity file stores (``IdentityFile``). ``description`` and ``debugDescription`` show only the public key, so an
/// identity can be logged or printed without leaking the secret.
///
/// The secret lives in an ordinary Swift array, which may be copied; it is not locked in memory nor wiped when the
/// last copy goes away.
public struct NodeIdentity: Sendable {
    /// The length of a seed in bytes.
    public static let seedByteCount = 32

    /// libsodium's secret key: the seed followed by the public key (64 bytes).
    private let secretKey: [UInt8]

    /// The public half, safe to share.
    public let publicKey: Ed25519PublicKey

    private init(secretKey: [UInt8], publicKey: [UInt8]) {
        self.secretKey = secretKey
        self.publicKey = Ed25519PublicKey(unchecked: publicKey)
    }

    /// Creates a fresh identity from the operating system's random source.
    public static func generate() -> NodeIdentity {
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        // crypto_sign_keypair cannot fail: it only draws random bytes and derives the key.
        _ = crypto_sign_keypair(&publicKey, &secretKey)
        return NodeIdentity(secretKey: secretKey, publicKey: publicKey)
    }

    /// Re-creates the identity whose secret is `seed` (as in RFC 8032, section 5.1.5).
    ///
    /// - Throws: ``Ed25519KeyError/wrongSeedLength(_:)`` unless `seed` is 32 bytes.
    public init(seed: some ContiguousBytes) throws(Ed25519KeyError) {
        Sodium.ensureInitialized()
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        let count = seed.withUnsafeBytes { seedBuffer -> Int in
            guard seedBuffer.count == Self.seedByteCount, let base = seedBuffer.baseAddress else {
                return seedBuffer.count
            }
            // crypto_sign_seed_keypair cannot fail for a 32-byte seed.
            _ = crypto_sign_seed_keypair(&publicKey, &secretKey, base.assumingMemoryBound(to: UInt8.self))
            return seedBuffer.count
        }
        guard count == Self.seedByteCount else { throw .wrongSeedLength(count) }
        self.init(secretKey: secretKey, publicKey: publicKey)
    }

    /// Signs `message`, returning the 64-byte Ed25519 signature (deterministic: the same message gives the same
    /// signature).
    public func sign(_ message: some ContiguousBytes) -> [UInt8] {
        Sodium.ensureInitialized()
        var signature = [UInt8](repeating: 0, count: Ed25519PublicKey.signatureByteCount)
        message.withUnsafeBytes { messageBuffer in
            withNonNullBase(messageBuffer) { messageBase in
                // crypto_sign_detached cannot fail with a well-formed secret key, which this type guarantees.
                _ = crypto_sign_detached(&signature, nil, messageBase, UInt64(messageBuffer.count), secretKey)
            }
        }
        return signature
    }

    /// Calls `body` with the 32 seed bytes: the secret an identity file stores.
    func withSeedBytes<R>(_ body: (ArraySlice<UInt8>) throws -> R) rethrows -> R {
        try body(secretKey[0..<Self.seedByteCount])
    }
}

extension NodeIdentity: CustomStringConvertible, CustomDebugStringConvertible {
    /// Names the identity by its public key; never shows the secret.
    public var description: String { "NodeIdentity(publicKey: \(publicKey.hex))" }

    /// The same as ``description``: the secret is never shown, not even in the debugger.
    public var debugDescription: String { description }
}

extension NodeIdentity: CustomReflectable {
    /// Shows only the public key to `dump` and the debugger's summary.
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}
