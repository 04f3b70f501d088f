import CSodium

/// The public half of a node's Ed25519 identity: 32 bytes that anyone may see.
///
/// A node's ID is SHA-256 of these bytes (`NodeID(publicKeyBytes:)` in the Kademlia module), and every signed record
/// a node publishes is checked with ``isValidSignature(_:for:)``.
public struct Ed25519PublicKey: Hashable, Sendable, ContiguousBytes, CustomStringConvertible {
    /// The length of a public key in bytes.
    public static let byteCount = 32
    /// The length of a signature in bytes.
    public static let signatureByteCount = 64

    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 bytes as a public key.
    ///
    /// Only the length is checked here; a byte string that is not a valid curve point simply never verifies a
    /// signature.
    ///
    /// - Throws: ``Ed25519KeyError/wrongPublicKeyLength(_:)`` for any length other than 32.
    public init(bytes: some ContiguousBytes) throws(Ed25519KeyError) {
        let copy = bytes.withUnsafeBytes { [UInt8]($0) }
        guard copy.count == Self.byteCount else { throw .wrongPublicKeyLength(copy.count) }
        self.bytes = copy
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` by the holder of this key.
    ///
    /// Returns `false` for a signature that is not 64 bytes long, as for any other invalid signature. libsodium
    /// also rejects non-canonical signatures and keys of small order.
    public func isValidSignature(_ signature: some ContiguousBytes, for message: some ContiguousBytes) -> Bool {
        Sodium.ensureInitialized()
        return signature.withUnsafeBytes { signatureBuffer in
            guard signatureBuffer.count == Self.signatureByteCount,
                let signatureBase = signatureBuffer.baseAddress
            else { return false }
            return message.withUnsafeBytes { messageBuffer in
                bytes.withUnsafeBufferPointer { key in
                    guard let keyBase = key.baseAddress else { return false }
                    return withNonNullBase(messageBuffer) { messageBase in
                        crypto_sign_verify_detached(
                            signatureBase.assumingMemoryBound(to: UInt8.self),
                            messageBase,
                            UInt64(messageBuffer.count),
                            keyBase
                        ) == 0
                    }
                }
            }
        }
    }

    /// Lends the 32 key bytes, so a key can be hashed into a node ID directly.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Lowercase hexadecimal text of the key.
    public var hex: String { Hex.encode(bytes) }

    /// The key as lowercase hexadecimal text.
    public var description: String { hex }
}
