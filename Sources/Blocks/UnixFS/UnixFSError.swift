/// Why bytes are not a valid UnixFS `Data` message. Offsets are byte positions in the message.
public enum UnixFSError: Error, Equatable, Sendable, CustomStringConvertible, ProtobufDecodingError {
    /// A varint is malformed.
    case varint(VarintError)
    /// A field runs past the end of the message.
    case truncated(offset: Int)
    /// The required `Type` field is missing.
    case missingType
    /// `Type` is not one of the six defined values.
    case unknownDataType(UInt64, offset: Int)
    /// A known field has the wrong wire type (or an unknown field has a wire type protobuf does not define).
    case wrongWireType(field: UInt64, wireType: UInt8, offset: Int)
    /// A singular field appears twice.
    case duplicateField(field: UInt64, offset: Int)
    /// A value does not fit its declared type (`mode` is uint32).
    case valueOutOfRange(field: UInt64, offset: Int)
    /// `mtime` has no `Seconds`, which UnixTime requires.
    case missingTimeSeconds(offset: Int)

    package static func wireFormat(_ failure: ProtobufFailure) -> UnixFSError {
        switch failure {
        case .varint(let error): .varint(error)
        case .truncated(let offset, _, _): .truncated(offset: offset)
        }
    }

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .varint(let error): "UnixFS: \(error)"
        case .truncated(let offset): "UnixFS: field at offset \(offset) is truncated"
        case .missingType: "UnixFS: Data has no Type"
        case .unknownDataType(let value, let offset): "UnixFS: unknown Type \(value) at offset \(offset)"
        case .wrongWireType(let field, let wireType, let offset):
            "UnixFS: field \(field) has wire type \(wireType) at offset \(offset)"
        case .duplicateField(let field, let offset): "UnixFS: duplicate field \(field) at offset \(offset)"
        case .valueOutOfRange(let field, let offset): "UnixFS: field \(field) at offset \(offset) is out of range"
        case .missingTimeSeconds(let offset): "UnixFS: mtime at offset \(offset) has no Seconds"
        }
    }
}
