/// The public half of an X25519 key pair (RFC 7748): 32 bytes sent in the clear during a key exchange.
public struct X25519PublicKey: Hashable, Sendable, ContiguousBytes, CustomStringConvertible {
    /// The length of a public key in bytes.
    public static let byteCount = 32

    /// The 32 key bytes (a little-endian u-coordinate).
    public let bytes: [UInt8]

    /// Wraps 32 bytes as a public key.
    ///
    /// Any 32 bytes are accepted: a key of small order is caught later, when the shared secret it gives is all zero
    /// (``X25519PrivateKey/sharedSecret(with:)``).
    ///
    /// - Throws: ``X25519Error/wrongKeyLength(_:)`` for any length other than 32.
    public init(bytes: some ContiguousBytes) throws(X25519Error) {
        let copy = bytes.withUnsafeBytes { [UInt8]($0) }
        guard copy.count == Self.byteCount else { throw .wrongKeyLength(copy.count) }
        self.bytes = copy
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lends the 32 key bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// The key as lowercase hexadecimal text.
    public var description: String { Hex.encode(bytes) }
}
