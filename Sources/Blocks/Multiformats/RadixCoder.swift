/// The big-number conversion behind base58btc and base36: the bytes read as one big-endian number and written in
/// the alphabet's radix, most significant digit first, each leading zero byte as one leading zero digit (the
/// alphabet's first character). Quadratic in the length, which is fine for the CIDs and keys it carries.
struct RadixCoder: Sendable {
    private let alphabet: [UInt8]
    /// Each byte's digit value, or -1 for a byte outside the alphabet.
    private let values: [Int8]

    /// A coder for `alphabet` (its length is the radix); with `ignoringCase`, uppercase letters decode as their
    /// lowercase digits.
    init(alphabet: String, ignoringCase: Bool = false) {
        self.alphabet = Array(alphabet.utf8)
        var values = [Int8](repeating: -1, count: 256)
        for (index, character) in self.alphabet.enumerated() {
            values[Int(character)] = Int8(index)
            if ignoringCase, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character) {
                values[Int(character - 32)] = Int8(index)
            }
        }
        self.values = values
    }

    private var radix: Int { alphabet.count }

    func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Digits, least significant first.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 8 / (Int.bitWidth - (radix - 1).leadingZeroBitCount - 1) + 1)
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % radix)
                carry /= radix
            }
            while carry > 0 {
                digits.append(UInt8(carry % radix))
                carry /= radix
            }
        }
        var output = [UInt8](repeating: alphabet[0], count: zeros)
        output.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { output.append(alphabet[Int(digit)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// - Throws: ``MultibaseError/invalidCharacter(_:offset:)`` for a byte outside the alphabet, with its offset
    ///   plus `offsetBase` (the text's position in a longer string).
    func decode(utf8: [UInt8], offsetBase: Int) throws(MultibaseError) -> [UInt8] {
        let zeros = utf8.prefix { values[Int($0)] == 0 }.count
        // Bytes of the value, least significant first.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count * 3 / 4 + 1)
        for index in zeros..<utf8.count {
            let character = utf8[index]
            let value = values[Int(character)]
            guard value >= 0 else { throw .invalidCharacter(character, offset: offsetBase + index) }
            var carry = Int(value)
            for byteIndex in bytes.indices {
                carry += Int(bytes[byteIndex]) * radix
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
