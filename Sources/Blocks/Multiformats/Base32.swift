/// RFC 4648 base32 in lowercase without padding: the multibase `base32` encoding (prefix `b`), which CIDv1 text
/// uses by default.
public enum Base32 {
    private static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// Encodes `bytes` as lowercase base32 without `=` padding (RFC 4648 section 6, padding omitted as multibase
    /// specifies for `b`).
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1f)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1f)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes lowercase base32 without padding.
    ///
    /// Strict: only `a`–`z` and `2`–`7` are accepted, the length must be one a byte string can encode to (not 1, 3
    /// or 6 modulo 8), and the unused low bits of the last character must be zero, so that every byte string has
    /// exactly one text form.
    ///
    /// - Throws: ``MultibaseError/invalidCharacter(_:offset:)`` with the offset in `text`'s UTF-8 bytes,
    ///   ``MultibaseError/invalidLength(_:)`` or ``MultibaseError/nonZeroPaddingBits``.
    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> [UInt8] {
        try decode(utf8: Array(text.utf8), offsetBase: 0)
    }

    static func decode(utf8: [UInt8], offsetBase: Int) throws(MultibaseError) -> [UInt8] {
        switch utf8.count % 8 {
        case 1, 3, 6: throw .invalidLength(utf8.count)
        default: break
        }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for (index, character) in utf8.enumerated() {
            let value: UInt32
            switch character {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(character - UInt8(ascii: "a"))
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = UInt32(character - UInt8(ascii: "2")) + 26
            default: throw .invalidCharacter(character, offset: offsetBase + index)
            }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        if buffer != 0 { throw .nonZeroPaddingBits }
        return output
    }
}
