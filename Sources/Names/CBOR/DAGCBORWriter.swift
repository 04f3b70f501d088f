/// Writes the few DAG-CBOR items an IPNS record's `data` map holds, each in its one canonical form: heads with the
/// shortest argument, definite lengths. The caller writes map keys in canonical order (length first, then bytewise).
struct DAGCBORWriter {
    private(set) var bytes: [UInt8] = []

    /// Appends an item head: major type and argument in the shortest form.
    mutating func appendHead(_ major: DAGCBORReader.MajorType, _ argument: UInt64) {
        let high = major.rawValue << 5
        switch argument {
        case 0..<24:
            bytes.append(high | UInt8(argument))
        case 24...0xff:
            bytes.append(high | 24)
            bytes.append(UInt8(argument))
        case 0x100...0xffff:
            bytes.append(high | 25)
            appendBigEndian(argument, count: 2)
        case 0x1_0000...0xffff_ffff:
            bytes.append(high | 26)
            appendBigEndian(argument, count: 4)
        default:
            bytes.append(high | 27)
            appendBigEndian(argument, count: 8)
        }
    }

    /// Appends an unsigned integer.
    mutating func appendUnsigned(_ value: UInt64) {
        appendHead(.unsigned, value)
    }

    /// Appends a byte string.
    mutating func appendBytes(_ value: [UInt8]) {
        appendHead(.bytes, UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a text string.
    mutating func appendText(_ value: String) {
        let utf8 = Array(value.utf8)
        appendHead(.text, UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends the head of a map of `count` entries; the entries follow.
    mutating func appendMapHead(count: Int) {
        appendHead(.map, UInt64(count))
    }

    private mutating func appendBigEndian(_ value: UInt64, count: Int) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
