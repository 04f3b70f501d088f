/// HKDF with HMAC-SHA-256 (RFC 5869): turns a shared secret into as many independent keys as needed.
///
/// ``extract(salt:inputKeyMaterial:)`` concentrates the entropy of the input into a pseudo-random key;
/// ``expand(pseudoRandomKey:info:byteCount:)`` stretches that key into output bound to an `info` label.
public enum HKDFSHA256 {
    /// The most output ``expand(pseudoRandomKey:info:byteCount:)`` can give: 255 blocks of 32 bytes.
    public static let maxOutputByteCount = 255 * HMACSHA256.tagByteCount

    /// HKDF-Extract: `HMAC(salt, inputKeyMaterial)`, a 32-byte pseudo-random key. An empty salt stands for 32 zero
    /// bytes, as the RFC says.
    public static func extract(salt: some ContiguousBytes, inputKeyMaterial: some ContiguousBytes) -> [UInt8] {
        let saltCount = salt.withUnsafeBytes { $0.count }
        if saltCount == 0 {
            return HMACSHA256.authenticationCode(
                for: inputKeyMaterial,
                key: [UInt8](repeating: 0, count: HMACSHA256.tagByteCount)
            )
        }
        return HMACSHA256.authenticationCode(for: inputKeyMaterial, key: salt)
    }

    /// HKDF-Expand: `byteCount` bytes of `T(1) | T(2) | ...`, where `T(i) = HMAC(prk, T(i-1) | info | i)`.
    ///
    /// - Precondition: `byteCount` is at most ``maxOutputByteCount``.
    public static func expand(pseudoRandomKey: some ContiguousBytes, info: some ContiguousBytes, byteCount: Int)
        -> [UInt8]
    {
        precondition(byteCount >= 0 && byteCount <= maxOutputByteCount, "HKDF can give at most 8160 bytes")
        let infoBytes = info.withUnsafeBytes { [UInt8]($0) }
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < byteCount {
            block = HMACSHA256.authenticationCode(for: block + infoBytes + [counter], key: pseudoRandomKey)
            output.append(contentsOf: block.prefix(byteCount - output.count))
            counter &+= 1
        }
        return output
    }

    /// Extract then expand in one call.
    public static func deriveKey(
        inputKeyMaterial: some ContiguousBytes,
        salt: some ContiguousBytes,
        info: some ContiguousBytes,
        byteCount: Int
    ) -> [UInt8] {
        expand(
            pseudoRandomKey: extract(salt: salt, inputKeyMaterial: inputKeyMaterial),
            info: info,
            byteCount: byteCount
        )
    }
}
