import CSodium

/// SipHash-2-4 (libsodium's `crypto_shorthash`): a fast keyed 64-bit pseudo-random function.
///
/// Not a MAC for long-lived secrets, but the right tool to make short values unguessable to anyone without the
/// 16-byte key, such as the transaction IDs a node puts on the wire.
public struct SipHash: Sendable {
    /// Length of a key in bytes.
    public static let keyByteCount = Int(crypto_shorthash_KEYBYTES)

    private let key: [UInt8]

    /// Uses `key`, which must be ``keyByteCount`` bytes.
    public init(key: [UInt8]) {
        precondition(key.count == Self.keyByteCount, "SipHash needs a \(Self.keyByteCount)-byte key")
        Sodium.ensureInitialized()
        self.key = key
    }

    /// A key from ``SecureRandom``.
    public static func random() -> SipHash {
        SipHash(key: SecureRandom.bytes(keyByteCount))
    }

    /// The 64-bit hash of the 8 little-endian bytes of `value`.
    public func hash(_ value: UInt64) -> UInt64 {
        var input = value.littleEndian
        var output: UInt64 = 0
        withUnsafeBytes(of: &input) { inputBuffer in
            withUnsafeMutableBytes(of: &output) { outputBuffer in
                key.withUnsafeBufferPointer { keyBuffer in
                    _ = crypto_shorthash(
                        outputBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        inputBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        8,
                        keyBuffer.baseAddress!
                    )
                }
            }
        }
        return UInt64(littleEndian: output)
    }
}
