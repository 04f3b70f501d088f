/// Why bytes are not a valid dag-pb block. Offsets are byte positions in the block.
public enum DagPBError: Error, Equatable, Sendable, CustomStringConvertible, ProtobufDecodingError {
    /// A varint (field key, length or Tsize) is malformed.
    case varint(VarintError)
    /// A length-delimited field claims more bytes than remain.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A field number the schema does not define (dag-pb strictness rule 4).
    case unknownField(message: String, field: UInt64, offset: Int)
    /// A known field with the wrong wire type (dag-pb strictness rule 4).
    case wrongWireType(message: String, field: UInt64, wireType: UInt8, offset: Int)
    /// A field appears out of the required order (dag-pb strictness rules 1 and 2).
    case fieldOutOfOrder(message: String, field: UInt64, offset: Int)
    /// A non-repeated field appears twice (dag-pb strictness rule 3).
    case duplicateField(message: String, field: UInt64, offset: Int)
    /// A PBLink has no Hash; the spec says to treat that as a bad block.
    case missingLinkHash(offset: Int)
    /// A PBLink's Hash is not a CID swift-dht can read.
    case invalidLinkHash(CIDError, offset: Int)
    /// A PBLink's Name is not valid UTF-8.
    case invalidLinkName(offset: Int)

    package static func wireFormat(_ failure: ProtobufFailure) -> DagPBError {
        switch failure {
        case .varint(let error): .varint(error)
        case .truncated(let offset, let needed, let available):
            .truncated(offset: offset, needed: needed, available: available)
        }
    }

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .varint(let error): "dag-pb: \(error)"
        case .truncated(let offset, let needed, let available):
            "dag-pb: field at offset \(offset) needs \(needed) bytes, \(available) remain"
        case .unknownField(let message, let field, let offset):
            "dag-pb: unknown \(message) field \(field) at offset \(offset)"
        case .wrongWireType(let message, let field, let wireType, let offset):
            "dag-pb: \(message) field \(field) has wire type \(wireType) at offset \(offset)"
        case .fieldOutOfOrder(let message, let field, let offset):
            "dag-pb: \(message) field \(field) out of order at offset \(offset)"
        case .duplicateField(let message, let field, let offset):
            "dag-pb: duplicate \(message) field \(field) at offset \(offset)"
        case .missingLinkHash(let offset): "dag-pb: link at offset \(offset) has no Hash"
        case .invalidLinkHash(let error, let offset): "dag-pb: link Hash at offset \(offset): \(error)"
        case .invalidLinkName(let offset): "dag-pb: link Name at offset \(offset) is not valid UTF-8"
        }
    }
}
