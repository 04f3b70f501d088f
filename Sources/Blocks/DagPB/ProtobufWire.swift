/// The parts of the protobuf wire format that dag-pb and UnixFS use: varint (wire type 0) and length-delimited
/// (wire type 2) fields. swift-dht encodes and decodes its protobuf messages by hand; `package`, so that the other
/// modules of the package that read protobuf (IPNS records in Names) share this reader instead of copying it.
package enum ProtobufWire {
    /// Protobuf wire types that appear in dag-pb and UnixFS.
    package enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    /// Appends a field key: `(field << 3) | wireType`.
    package static func appendKey(field: UInt64, wireType: WireType, to output: inout [UInt8]) {
        Varint.encode(field << 3 | UInt64(wireType.rawValue), into: &output)
    }

    /// Appends a varint field.
    package static func appendVarintField(_ field: UInt64, _ value: UInt64, to output: inout [UInt8]) {
        appendKey(field: field, wireType: .varint, to: &output)
        Varint.encode(value, into: &output)
    }

    /// Appends a length-delimited field holding `bytes`.
    package static func appendBytesField(_ field: UInt64, _ bytes: [UInt8], to output: inout [UInt8]) {
        appendKey(field: field, wireType: .lengthDelimited, to: &output)
        Varint.encode(UInt64(bytes.count), into: &output)
        output.append(contentsOf: bytes)
    }

    /// The encoded length of a length-delimited field with a payload of `count` bytes.
    package static func bytesFieldCount(_ field: UInt64, payload count: Int) -> Int {
        Varint.encodedCount(field << 3) + Varint.encodedCount(UInt64(count)) + count
    }
}

/// What can be wrong with the protobuf wire format itself.
package enum ProtobufFailure: Error {
    /// A varint is malformed.
    case varint(VarintError)
    /// A field needs more bytes than remain.
    case truncated(offset: Int, needed: Int, available: Int)
}

/// An error type that a ``ProtobufReader`` reports wire-format failures as.
package protocol ProtobufDecodingError: Error {
    /// The error for a wire-format failure.
    static func wireFormat(_ failure: ProtobufFailure) -> Self
}

/// Reads protobuf fields from a byte array between two positions, reporting failures as `Failure`.
package struct ProtobufReader<Failure: ProtobufDecodingError> {
    /// A field key.
    package struct Key {
        package var field: UInt64
        package var wireType: UInt8
        /// Where the key starts.
        package var offset: Int
    }

    package let bytes: [UInt8]
    package private(set) var position: Int
    package let end: Int

    package init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    package var isAtEnd: Bool { position >= end }

    /// Reads a protobuf varint (up to 10 bytes, minimally encoded).
    package mutating func readVarint() throws(Failure) -> UInt64 {
        do {
            return try Varint.decode(bytes, at: &position, limit: end, maxByteCount: Varint.protobufMaxByteCount)
        } catch {
            throw .wireFormat(.varint(error))
        }
    }

    /// Reads a field key.
    package mutating func readKey() throws(Failure) -> Key {
        let offset = position
        let raw = try readVarint()
        return Key(field: raw >> 3, wireType: UInt8(raw & 0x7), offset: offset)
    }

    /// Reads the length of a length-delimited field and returns the range of its payload, advancing past it.
    package mutating func readLengthDelimited() throws(Failure) -> Range<Int> {
        let length = try readVarint()
        let available = end - position
        guard length <= UInt64(available) else {
            throw .wireFormat(.truncated(offset: position, needed: Int(clamping: length), available: available))
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// Skips the payload of a field with `wireType` (used for unknown UnixFS fields); returns `false` for wire
    /// types that have no payload length (groups, and values protobuf does not define).
    package mutating func skip(wireType: UInt8) throws(Failure) -> Bool {
        switch wireType {
        case 0: _ = try readVarint()
        case 2: _ = try readLengthDelimited()
        case 1, 5:
            let width = wireType == 1 ? 8 : 4
            guard end - position >= width else {
                throw .wireFormat(.truncated(offset: position, needed: width, available: end - position))
            }
            position += width
        default: return false
        }
        return true
    }
}
