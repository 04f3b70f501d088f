/// A dag-pb node (dag-pb spec, `message PBNode`): a list of links and optional opaque data (for UnixFS, an
/// encoded ``UnixFSData`` message).
///
/// Serial form: every `Links = 2` entry first, then `Data = 1`, which is the order the spec requires encoders to
/// write (it does not follow the field numbers).
public struct PBNode: Hashable, Sendable {
    /// The links, in order.
    public var links: [PBLink]
    /// The data, or `nil` when the field is absent (different from present and empty).
    public var data: [UInt8]?

    /// Creates a node.
    public init(links: [PBLink] = [], data: [UInt8]? = nil) {
        self.links = links
        self.data = data
    }

    /// The canonical encoding: links first, each with Hash, Name, Tsize in order; then Data.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        var capacity = 0
        for link in links { capacity += ProtobufWire.bytesFieldCount(2, payload: link.bodyCount) }
        if let data { capacity += ProtobufWire.bytesFieldCount(1, payload: data.count) }
        output.reserveCapacity(capacity)
        for link in links {
            ProtobufWire.appendKey(field: 2, wireType: .lengthDelimited, to: &output)
            Varint.encode(UInt64(link.bodyCount), into: &output)
            link.appendBody(to: &output)
        }
        if let data { ProtobufWire.appendBytesField(1, data, to: &output) }
        return output
    }

    /// Decodes a dag-pb block strictly, as the dag-pb spec's "Protobuf Strictness" section asks.
    ///
    /// - Only fields 1 (Data) and 2 (Links), both wire type 2.
    /// - Links and Data each form one run: the spec's canonical order is Links then Data, and it says decoders
    ///   should also accept Data then Links because such data exists; Links split around Data are rejected, as is
    ///   a second Data.
    /// - Each link is decoded by the PBLink rules (field order, no duplicates, Hash required and a valid CID).
    /// - The zero-length block is valid: no links, no data.
    ///
    /// - Throws: ``DagPBError`` with the byte offset of the problem.
    public init(decoding bytes: [UInt8]) throws(DagPBError) {
        var reader = ProtobufReader<DagPBError>(bytes)
        var links: [PBLink] = []
        var data: [UInt8]?
        var linksEndedByData = false
        while !reader.isAtEnd {
            let key = try reader.readKey()
            guard key.field == 1 || key.field == 2 else {
                throw .unknownField(message: "PBNode", field: key.field, offset: key.offset)
            }
            guard key.wireType == 2 else {
                throw .wrongWireType(message: "PBNode", field: key.field, wireType: key.wireType, offset: key.offset)
            }
            let range = try reader.readLengthDelimited()
            if key.field == 1 {
                guard data == nil else { throw .duplicateField(message: "PBNode", field: 1, offset: key.offset) }
                data = Array(bytes[range])
                linksEndedByData = !links.isEmpty
            } else {
                guard !linksEndedByData else {
                    throw .fieldOutOfOrder(message: "PBNode", field: 2, offset: key.offset)
                }
                links.append(try PBLink.decode(bytes, from: range.lowerBound, to: range.upperBound))
            }
        }
        self.links = links
        self.data = data
    }
}
