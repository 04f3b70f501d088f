/// Base36 (`0`–`9`, `a`–`z`): the multibase `base36` encoding (prefix `k`, `K` for the uppercase form), which
/// kubo uses to print IPNS names (`k51…`) because it fits in one DNS label and ignores case.
///
/// Like base58btc, it is a big-number conversion: each leading zero byte is written as one leading `0`.
public enum Base36 {
    private static let alphabet: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// Encodes `bytes` as lowercase base36.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Base-36 digits, least significant first.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 155 / 100 + 1)
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 36)
                carry /= 36
            }
            while carry > 0 {
                digits.append(UInt8(carry % 36))
                carry /= 36
            }
        }
        var output = [UInt8](repeating: UInt8(ascii: "0"), count: zeros)
        output.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { output.append(alphabet[Int(digit)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base36 text in either case (the multibase spec's `k` and `K` differ only in the case written).
    ///
    /// - Throws: ``MultibaseError/invalidCharacter(_:offset:)`` for a character outside `0`–`9`, `a`–`z`,
    ///   `A`–`Z`, with its offset in `text`'s UTF-8 bytes.
    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> [UInt8] {
        try decode(utf8: Array(text.utf8), offsetBase: 0)
    }

    static func decode(utf8: [UInt8], offsetBase: Int) throws(MultibaseError) -> [UInt8] {
        let zeros = utf8.prefix { $0 == UInt8(ascii: "0") }.count
        // Bytes of the value, least significant first.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count * 65 / 100 + 1)
        for index in zeros..<utf8.count {
            let character = utf8[index]
            let value: Int
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(character - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = Int(character - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = Int(character - UInt8(ascii: "A")) + 10
            default: throw .invalidCharacter(character, offset: offsetBase + index)
            }
            var carry = value
            for byteIndex in bytes.indices {
                carry += Int(bytes[byteIndex]) * 36
                bytes[byteIndex] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xff))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
