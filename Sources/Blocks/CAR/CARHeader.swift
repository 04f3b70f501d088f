/// The header of a CAR v1 file (ipld/specs `transport/car/carv1`): a dag-cbor map `{roots: [&Any], version: 1}`
/// behind a varint length.
///
/// Encoding is canonical dag-cbor, keys sorted by length then bytes (`roots`, then `version`), each root as tag 42
/// around a byte string of `0x00` (the multibase identity prefix) and the binary CID:
///
/// ```
/// a2                       map(2)
///   65 726f6f7473          "roots"
///   81                     array(1)
///     d8 2a 58 25 00 …     tag(42) bytes(37) 0x00 CID
///   67 76657273696f6e      "version"
///   01                     1
/// ```
///
/// Decoding reads just this schema by hand, strictly: shortest-form integers, definite lengths, text keys, no
/// other keys, no duplicates, no trailing bytes; `version` must be 1 and `roots` non-empty (the spec's
/// constraints). Keys may come in either order. Errors carry the offset of the item at fault.
public struct CARHeader: Hashable, Sendable {
    /// The longest header read: 1 MiB (about 27,000 roots).
    public static let maxByteCount = 1 << 20

    /// The root CIDs.
    public var roots: [CID]

    /// A header with these roots.
    public init(roots: [CID]) {
        self.roots = roots
    }

    /// The version; always 1.
    public var version: UInt64 { 1 }

    /// The dag-cbor header block (without its varint length).
    public func encoded() -> [UInt8] {
        var output: [UInt8] = [0xa2]
        Self.appendText("roots", to: &output)
        Self.appendHead(major: 4, roots.count, to: &output)
        for root in roots {
            output += [0xd8, 42]
            Self.appendHead(major: 2, root.byteCount + 1, to: &output)
            output.append(0x00)
            root.append(to: &output)
        }
        Self.appendText("version", to: &output)
        output.append(0x01)
        return output
    }

    private static func appendText(_ text: String, to output: inout [UInt8]) {
        appendHead(major: 3, text.utf8.count, to: &output)
        output += text.utf8
    }

    private static func appendHead(major: UInt8, _ value: Int, to output: inout [UInt8]) {
        let value = UInt64(value)
        let type = major << 5
        switch value {
        case ..<24: output.append(type | UInt8(value))
        case ..<0x100: output += [type | 24, UInt8(value)]
        case ..<0x1_0000: output += [type | 25, UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
        case ..<0x1_0000_0000:
            output.append(type | 26)
            for shift in stride(from: 24, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> shift)) }
        default:
            output.append(type | 27)
            for shift in stride(from: 56, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
    }

    /// Decodes a header block; `baseOffset` is where it starts in the stream, for error offsets.
    ///
    /// - Throws: ``CARError/badHeader(offset:_:)`` naming the problem and its offset.
    public init(decoding bytes: [UInt8], baseOffset: UInt64 = 0) throws(CARError) {
        var reader = CBORReader(bytes: bytes, baseOffset: baseOffset)
        let map = try reader.head()
        guard map.major == 5 else {
            throw .badHeader(offset: map.offset, .unexpectedType(expected: "a map", major: map.major))
        }
        var version: UInt64?
        var roots: [CID]?
        for _ in 0..<map.value {
            let keyHead = try reader.head()
            guard keyHead.major == 3 else {
                throw .badHeader(offset: keyHead.offset, .unexpectedType(expected: "a text key", major: keyHead.major))
            }
            let keyBytes = try reader.take(keyHead.value, from: keyHead.offset)
            guard let key = String(validating: keyBytes, as: UTF8.self) else {
                throw .badHeader(offset: keyHead.offset, .invalidKey)
            }
            switch key {
            case "version":
                guard version == nil else { throw .badHeader(offset: keyHead.offset, .duplicateKey(key)) }
                let value = try reader.head()
                guard value.major == 0 else {
                    throw .badHeader(offset: value.offset, .unexpectedType(expected: "an integer", major: value.major))
                }
                version = value.value
            case "roots":
                guard roots == nil else { throw .badHeader(offset: keyHead.offset, .duplicateKey(key)) }
                roots = try Self.decodeRoots(&reader)
            default:
                throw .badHeader(offset: keyHead.offset, .unknownKey(key))
            }
        }
        guard reader.isAtEnd else {
            throw .badHeader(offset: reader.offset, .trailingBytes(bytes.count - reader.position))
        }
        guard let version else { throw .badHeader(offset: map.offset, .missingVersion) }
        guard version == 1 else { throw .badHeader(offset: map.offset, .unsupportedVersion(version)) }
        guard let roots else { throw .badHeader(offset: map.offset, .missingRoots) }
        guard !roots.isEmpty else { throw .badHeader(offset: map.offset, .noRoots) }
        self.roots = roots
    }

    private static func decodeRoots(_ reader: inout CBORReader) throws(CARError) -> [CID] {
        let array = try reader.head()
        guard array.major == 4 else {
            throw .badHeader(offset: array.offset, .unexpectedType(expected: "an array of roots", major: array.major))
        }
        // Each root takes at least 3 bytes, so a count beyond that cannot be honest: fail before allocating.
        guard array.value <= UInt64(reader.remaining / 3) else { throw .badHeader(offset: array.offset, .truncated) }
        var roots: [CID] = []
        roots.reserveCapacity(Int(array.value))
        for _ in 0..<array.value {
            let tag = try reader.head()
            guard tag.major == 6, tag.value == 42 else { throw .badHeader(offset: tag.offset, .rootNotCID) }
            let bytesHead = try reader.head()
            guard bytesHead.major == 2 else { throw .badHeader(offset: bytesHead.offset, .rootNotCID) }
            let bytes = try reader.take(bytesHead.value, from: bytesHead.offset)
            guard bytes.first == 0x00 else { throw .badHeader(offset: bytesHead.offset, .missingIdentityPrefix) }
            do {
                roots.append(try CID(decoding: Array(bytes.dropFirst())))
            } catch {
                throw .badHeader(offset: bytesHead.offset, .invalidRoot(error))
            }
        }
        return roots
    }
}

/// Reads CBOR item heads (RFC 8949 section 3) from a header block, dag-cbor strict.
private struct CBORReader {
    let bytes: [UInt8]
    let baseOffset: UInt64
    var position = 0

    init(bytes: [UInt8], baseOffset: UInt64) {
        self.bytes = bytes
        self.baseOffset = baseOffset
    }

    var isAtEnd: Bool { position == bytes.count }
    var remaining: Int { bytes.count - position }
    var offset: UInt64 { baseOffset + UInt64(position) }

    /// The next item's major type and argument (a value, a length or a count).
    mutating func head() throws(CARError) -> (major: UInt8, value: UInt64, offset: UInt64) {
        let start = offset
        guard position < bytes.count else { throw .badHeader(offset: start, .truncated) }
        let initial = bytes[position]
        position += 1
        let major = initial >> 5
        let info = initial & 0x1f
        let value: UInt64
        switch info {
        case ..<24: value = UInt64(info)
        case 24...27:
            let count = 1 << Int(info - 24)
            guard remaining >= count else { throw .badHeader(offset: start, .truncated) }
            var result: UInt64 = 0
            for byte in bytes[position..<(position + count)] { result = result << 8 | UInt64(byte) }
            position += count
            // Shortest form: each width is only for values the next smaller one cannot hold.
            let minimum: UInt64 = [24, 0x100, 0x1_0000, 0x1_0000_0000][Int(info - 24)]
            guard result >= minimum else { throw .badHeader(offset: start, .nonCanonicalInteger) }
            value = result
        case 31: throw .badHeader(offset: start, .indefiniteLength)
        default: throw .badHeader(offset: start, .nonCanonicalInteger)
        }
        return (major, value, start)
    }

    /// The next `count` bytes of a string whose head is at `start`.
    mutating func take(_ count: UInt64, from start: UInt64) throws(CARError) -> ArraySlice<UInt8> {
        guard count <= UInt64(remaining) else { throw .badHeader(offset: start, .truncated) }
        let end = position + Int(count)
        defer { position = end }
        return bytes[position..<end]
    }
}
