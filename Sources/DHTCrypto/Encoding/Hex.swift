/// Lowercase hexadecimal text, as used for keys and IDs in files, logs and the CLI.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hexadecimal.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal text (either case) into bytes.
    ///
    /// - Throws: ``HexDecodingError`` naming the offset of the first character that is not a hex digit,
    ///   or an odd number of digits.
    public static func decode(_ text: some StringProtocol) throws(HexDecodingError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(of: utf8[index]) else { throw .invalidCharacter(offset: index) }
            guard let low = value(of: utf8[index + 1]) else { throw .invalidCharacter(offset: index + 1) }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why hexadecimal text could not be decoded.
public enum HexDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text has an odd number of characters (the count is attached).
    case oddLength(Int)
    /// The character at this offset (in UTF-8 bytes) is not a hexadecimal digit.
    case invalidCharacter(offset: Int)

    public var description: String {
        switch self {
        case .oddLength(let count): "hex text has an odd number of characters (\(count))"
        case .invalidCharacter(let offset): "hex text has a non-hex character at offset \(offset)"
        }
    }
}
