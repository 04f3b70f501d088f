/// Why bytes are not the strict DAG-CBOR that an IPNS record's `data` must be (ipld.io DAG-CBOR spec, "Strictness").
public enum DAGCBORError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ends inside an item that starts at `offset`.
    case truncated(offset: Int)
    /// An integer or length is not in its shortest form (DAG-CBOR: "integer encoding must be as short as possible").
    case nonMinimalInteger(offset: Int)
    /// An indefinite-length item (additional information 31): DAG-CBOR forbids them.
    case indefiniteLength(offset: Int)
    /// Additional information 28–30, which CBOR reserves.
    case reservedAdditionalInformation(offset: Int)
    /// A tag other than 42 (CID), which is the only tag DAG-CBOR allows; or a tag 42 not over bytes starting `0x00`.
    case unsupportedTag(UInt64, offset: Int)
    /// A simple value or float DAG-CBOR does not allow: anything but false, true, null and a finite 64-bit float.
    case unsupportedSimpleValue(offset: Int)
    /// A map key that is not a text string (DAG-CBOR: map keys are strings).
    case nonStringKey(offset: Int)
    /// Map keys out of the canonical order (shorter first, then bytewise) or repeated.
    case keysOutOfOrder(offset: Int)
    /// A text string that is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// Items nest deeper than ``DAGCBORReader/maximumDepth``.
    case tooDeep(offset: Int)
    /// Bytes follow the top-level item.
    case trailingBytes(offset: Int)
    /// The top-level item is not a map.
    case notAMap
    /// A field the record needs is missing.
    case missingField(String)
    /// A field the record needs has the wrong type, or a value out of range.
    case wrongType(field: String, expected: String)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .truncated(let offset): "CBOR item at offset \(offset) is truncated"
        case .nonMinimalInteger(let offset): "CBOR integer or length at offset \(offset) is not minimally encoded"
        case .indefiniteLength(let offset): "CBOR indefinite-length item at offset \(offset) (DAG-CBOR forbids them)"
        case .reservedAdditionalInformation(let offset): "CBOR reserved additional information at offset \(offset)"
        case .unsupportedTag(let tag, let offset):
            "CBOR tag \(tag) at offset \(offset) (DAG-CBOR allows only tag 42, a CID)"
        case .unsupportedSimpleValue(let offset):
            "CBOR simple value or float at offset \(offset) that DAG-CBOR does not allow"
        case .nonStringKey(let offset): "CBOR map key at offset \(offset) is not a string"
        case .keysOutOfOrder(let offset):
            "CBOR map key at offset \(offset) is out of canonical order (length first, then bytewise) or repeated"
        case .invalidUTF8(let offset): "CBOR text string at offset \(offset) is not valid UTF-8"
        case .tooDeep(let offset): "CBOR item at offset \(offset) nests too deeply"
        case .trailingBytes(let offset): "bytes after the CBOR document at offset \(offset)"
        case .notAMap: "the CBOR document is not a map"
        case .missingField(let field): "the CBOR map has no \(field)"
        case .wrongType(let field, let expected): "the CBOR field \(field) is not \(expected)"
        }
    }
}
