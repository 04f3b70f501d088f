/// A 96-bit AEAD nonce: a 32-bit prefix then a 64-bit counter, both big-endian.
///
/// A nonce MUST never repeat under one key. Secure channels use a fresh key per direction and count frames from 0
/// (``init(counter:)``), so the counter alone keeps them unique. Held in two integers: making one costs no
/// allocation.
public struct AEADNonce: Hashable, Sendable {
    /// The first 4 bytes, big-endian.
    public var prefix: UInt32
    /// The last 8 bytes, big-endian.
    public var counter: UInt64

    /// The nonce `00 00 00 00` followed by `counter` as 8 big-endian bytes.
    public init(counter: UInt64) {
        self.prefix = 0
        self.counter = counter
    }

    /// The nonce of 12 given bytes (for test vectors).
    ///
    /// - Throws: ``AEADError/wrongNonceLength(_:)`` for any length other than 12.
    public init(bytes: some ContiguousBytes) throws(AEADError) {
        let copy = bytes.withUnsafeBytes { [UInt8]($0) }
        guard copy.count == AEADCipher.nonceByteCount else { throw .wrongNonceLength(copy.count) }
        prefix = copy[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
        counter = copy[4..<12].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Calls `body` with the 12 nonce bytes, laid out on the stack.
    public func withUnsafeBytes<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        var storage: (UInt64, UInt64) = (0, 0)
        return try Swift.withUnsafeMutableBytes(of: &storage) { raw in
            raw.storeBytes(of: prefix.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: counter.bigEndian, toByteOffset: 4, as: UInt64.self)
            return try body(raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }
}
