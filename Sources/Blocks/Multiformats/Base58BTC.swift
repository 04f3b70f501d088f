/// Bitcoin's base58 alphabet: the multibase `base58btc` encoding (prefix `z`), and the bare text form of CIDv0
/// (`Qm…`).
public enum Base58BTC {
    private static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    /// Encodes `bytes`; each leading zero byte becomes a leading `1`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Base-58 digits, least significant first.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var output = [UInt8](repeating: UInt8(ascii: "1"), count: zeros)
        output.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { output.append(alphabet[Int(digit)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base58btc text; each leading `1` becomes a leading zero byte.
    ///
    /// - Throws: ``MultibaseError/invalidCharacter(_:offset:)`` for a character outside the alphabet (`0`, `O`,
    ///   `I`, `l`, whitespace, anything non-ASCII), with its offset in `text`'s UTF-8 bytes.
    public static func decode(_ text: some StringProtocol) throws(MultibaseError) -> [UInt8] {
        try decode(utf8: Array(text.utf8), offsetBase: 0)
    }

    static func decode(utf8: [UInt8], offsetBase: Int) throws(MultibaseError) -> [UInt8] {
        let zeros = utf8.prefix { $0 == UInt8(ascii: "1") }.count
        // Bytes of the value, least significant first.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count * 733 / 1000 + 1)
        for index in zeros..<utf8.count {
            let character = utf8[index]
            let value = values[Int(character)]
            guard value >= 0 else { throw .invalidCharacter(character, offset: offsetBase + index) }
            var carry = Int(value)
            for byteIndex in bytes.indices {
                carry += Int(bytes[byteIndex]) * 58
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
