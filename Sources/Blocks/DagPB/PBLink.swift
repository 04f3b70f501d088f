/// A link in a dag-pb node (dag-pb spec, `message PBLink`).
///
/// Serial form: `Hash = 1` (bytes: a binary CID), `Name = 2` (string), `Tsize = 3` (uint64), in that order.
/// The spec says `Hash` must not be treated as optional, so it is required here; `Name` and `Tsize` are optional
/// and an empty `Name` is different from none (kubo writes `Name = ""` explicitly on file links).
public struct PBLink: Hashable, Sendable {
    /// The CID of the linked block.
    public var hash: CID
    /// The link name, or `nil` when the field is absent.
    public var name: String?
    /// The cumulative size of the linked DAG: the linked block's bytes plus the `Tsize` of all its links.
    public var tsize: UInt64?

    /// Creates a link.
    public init(hash: CID, name: String? = nil, tsize: UInt64? = nil) {
        self.hash = hash
        self.name = name
        self.tsize = tsize
    }

    /// Appends the PBLink message body (without its own key and length) to `output`.
    func appendBody(to output: inout [UInt8]) {
        ProtobufWire.appendKey(field: 1, wireType: .lengthDelimited, to: &output)
        Varint.encode(UInt64(hash.byteCount), into: &output)
        hash.append(to: &output)
        if let name { ProtobufWire.appendBytesField(2, Array(name.utf8), to: &output) }
        if let tsize { ProtobufWire.appendVarintField(3, tsize, to: &output) }
    }

    /// The length of the PBLink message body.
    var bodyCount: Int {
        var count = ProtobufWire.bytesFieldCount(1, payload: hash.byteCount)
        if let name { count += ProtobufWire.bytesFieldCount(2, payload: name.utf8.count) }
        if let tsize { count += 1 + Varint.encodedCount(tsize) }
        return count
    }

    /// Decodes a PBLink body between `start` and `end` of `bytes`.
    ///
    /// dag-pb strictness: fields in field-number order (Hash, Name, Tsize), no duplicates, no other fields or
    /// wire types; `Hash` present and a valid CID; `Name` valid UTF-8.
    static func decode(_ bytes: [UInt8], from start: Int, to end: Int) throws(DagPBError) -> PBLink {
        var reader = ProtobufReader<DagPBError>(bytes, from: start, to: end)
        var hash: CID?
        var name: String?
        var tsize: UInt64?
        var lastField: UInt64 = 0
        while !reader.isAtEnd {
            let key = try reader.readKey()
            guard (1...3).contains(key.field) else {
                throw .unknownField(message: "PBLink", field: key.field, offset: key.offset)
            }
            guard key.field > lastField else {
                if key.field == lastField {
                    throw .duplicateField(message: "PBLink", field: key.field, offset: key.offset)
                }
                throw .fieldOutOfOrder(message: "PBLink", field: key.field, offset: key.offset)
            }
            lastField = key.field
            let expectedWireType: UInt8 = key.field == 3 ? 0 : 2
            guard key.wireType == expectedWireType else {
                throw .wrongWireType(
                    message: "PBLink", field: key.field, wireType: key.wireType, offset: key.offset)
            }
            switch key.field {
            case 1:
                let range = try reader.readLengthDelimited()
                do throws(CIDError) {
                    var position = range.lowerBound
                    let cid = try CID.decode(bytes, at: &position, limit: range.upperBound)
                    guard position == range.upperBound else {
                        throw CIDError.trailingBytes(count: range.upperBound - position)
                    }
                    hash = cid
                } catch {
                    throw .invalidLinkHash(error, offset: range.lowerBound)
                }
            case 2:
                let range = try reader.readLengthDelimited()
                guard let string = String(validating: bytes[range], as: UTF8.self) else {
                    throw .invalidLinkName(offset: range.lowerBound)
                }
                name = string
            default:
                tsize = try reader.readVarint()
            }
        }
        guard let hash else { throw .missingLinkHash(offset: start) }
        return PBLink(hash: hash, name: name, tsize: tsize)
    }
}
