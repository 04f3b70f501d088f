/// Unsigned LEB128 varints as the multiformats `unsigned-varint` spec defines them, and the protobuf flavour of the
/// same encoding.
///
/// The multiformats spec (multiformats/unsigned-varint) says: the value is split into 7-bit groups, least significant
/// first, the high bit of each byte set on every byte but the last; a varint MUST be minimally encoded; and it is at
/// most 9 bytes (63 bits of value) long. Protobuf varints use the same bytes but go up to 10 bytes (64 bits).
public enum Varint {
    /// The longest multiformats varint: 9 bytes, 63 bits of value (unsigned-varint spec, "Practical maximum").
    public static let maxByteCount = 9

    /// The longest protobuf varint: 10 bytes, a full 64-bit value.
    package static let protobufMaxByteCount = 10

    /// The number of bytes that ``encode(_:into:)`` writes for `value`.
    public static func encodedCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 {
            count += 1
            rest >>= 7
        }
        return count
    }

    /// Appends the minimal encoding of `value` to `output`.
    ///
    /// Values of 2^63 and above take 10 bytes: that is a valid protobuf varint but not a multiformats one, so
    /// multiformats callers only pass codes and lengths below 2^63.
    public static func encode(_ value: UInt64, into output: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        output.append(UInt8(rest))
    }

    /// Returns the minimal encoding of `value`.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(encodedCount(value))
        encode(value, into: &output)
        return output
    }

    /// Decodes one multiformats varint from the start of `bytes`.
    ///
    /// - Returns: the value and the number of bytes it took.
    /// - Throws: ``VarintError`` for input that ends inside the varint, a varint longer than 9 bytes, or one that is
    ///   not minimally encoded (the spec's MUST).
    public static func decode(_ bytes: [UInt8]) throws(VarintError) -> (value: UInt64, byteCount: Int) {
        var position = 0
        let value = try decode(bytes, at: &position, limit: bytes.count)
        return (value, position)
    }

    /// Decodes one varint at `position` (advanced past it) without reading at or past `limit`.
    ///
    /// `maxByteCount` is 9 for multiformats and 10 for protobuf; a 10th byte may only carry the 64th bit.
    /// Offsets in errors are absolute positions in `bytes`.
    package static func decode(
        _ bytes: [UInt8],
        at position: inout Int,
        limit: Int,
        maxByteCount: Int = Varint.maxByteCount
    ) throws(VarintError) -> UInt64 {
        let start = position
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = start
        while true {
            guard index < limit else { throw .truncated(offset: start) }
            guard index - start < maxByteCount else { throw .tooLong(offset: start) }
            let byte = bytes[index]
            let payload = UInt64(byte & 0x7f)
            if shift == 63 && payload > 1 { throw .tooLong(offset: start) }
            value |= payload << shift
            index += 1
            if byte & 0x80 == 0 {
                // Minimal encoding: a last byte of zero is only allowed when it is the only byte.
                if byte == 0 && index - start > 1 { throw .notMinimal(offset: start) }
                position = index
                return value
            }
            shift += 7
        }
    }
}

/// Why a varint could not be decoded.
public enum VarintError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ends before the varint's last byte (the one with the high bit clear).
    case truncated(offset: Int)
    /// The varint is longer than allowed (9 bytes for multiformats, 10 or above 64 bits for protobuf).
    case tooLong(offset: Int)
    /// The varint has redundant trailing zero groups; the unsigned-varint spec requires minimal encoding.
    case notMinimal(offset: Int)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .truncated(let offset): "varint at offset \(offset) is truncated"
        case .tooLong(let offset): "varint at offset \(offset) is too long"
        case .notMinimal(let offset): "varint at offset \(offset) is not minimally encoded"
        }
    }
}
