/// Why bytes or text are not a CID that swift-dht supports.
public enum CIDError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There are no bytes (or no text) at all.
    case empty
    /// The text is longer than ``CID/maxTextLength``.
    case textTooLong(Int)
    /// The multibase text could not be decoded: unsupported prefix, bad character at an offset, bad length.
    case multibase(MultibaseError)
    /// The version or codec varint is malformed (truncated, too long, not minimal).
    case varint(VarintError)
    /// The version is not 1 (binary CIDv0 is recognised by its `0x12 0x20` start, not by a version number).
    case unsupportedVersion(UInt64)
    /// The codec is not raw (0x55) or dag-pb (0x70).
    case unsupportedCodec(UInt64)
    /// A CIDv0 must be dag-pb.
    case invalidV0Codec(UInt64)
    /// Multibase text holds a CIDv0, which the CID spec forbids (CIDv0 text is bare base58btc `Qm…`).
    case multibaseEncodedV0
    /// The multihash is malformed or not sha2-256 with a 32-byte digest.
    case multihash(MultihashError)
    /// Bytes follow the multihash where the CID should end.
    case trailingBytes(count: Int)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .empty: "CID is empty"
        case .textTooLong(let count): "CID text is \(count) bytes long, longer than any supported CID"
        case .multibase(let error): "CID text: \(error)"
        case .varint(let error): "CID: \(error)"
        case .unsupportedVersion(let version): "unsupported CID version \(version)"
        case .unsupportedCodec(let code):
            "unsupported CID codec 0x\(String(code, radix: 16))"
                + (Multicodec.name(of: code).map { " (\($0))" } ?? "") + ": only raw and dag-pb are supported"
        case .invalidV0Codec(let code): "CIDv0 must be dag-pb, not codec 0x\(String(code, radix: 16))"
        case .multibaseEncodedV0: "multibase text holds a CIDv0; CIDv0 is only written as bare Qm… base58btc"
        case .multihash(let error): "CID \(error)"
        case .trailingBytes(let count): "CID has \(count) trailing bytes"
        }
    }
}
