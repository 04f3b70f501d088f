/// Multicodec codes that swift-dht reads and writes (multiformats/multicodec `table.csv`).
public enum Multicodec: UInt64, Sendable, CustomStringConvertible {
    /// Raw bytes: a leaf block of a file.
    case raw = 0x55
    /// dag-pb: a UnixFS node.
    case dagPB = 0x70
    /// The sha2-256 multihash function.
    case sha2_256 = 0x12

    /// The name the multicodec table gives this code.
    public var description: String { Self.name(of: rawValue) ?? "0x\(String(rawValue, radix: 16))" }

    /// Whether this code names a content codec (the codec field of a CID) rather than a hash function.
    public var isContentCodec: Bool {
        switch self {
        case .raw, .dagPB: true
        case .sha2_256: false
        }
    }

    /// The table name of a code, for codes swift-dht supports and common ones it meets in the wild but does not
    /// support (so an error can say "dag-cbor" instead of a bare number); `nil` for other codes.
    public static func name(of code: UInt64) -> String? {
        switch code {
        case 0x00: "identity"
        case 0x11: "sha1"
        case 0x12: "sha2-256"
        case 0x13: "sha2-512"
        case 0x16: "sha3-256"
        case 0x1e: "blake3"
        case 0x55: "raw"
        case 0x70: "dag-pb"
        case 0x71: "dag-cbor"
        case 0x72: "libp2p-key"
        case 0x0129: "dag-json"
        case 0x0200: "json"
        case 0xb220: "blake2b-256"
        default: nil
        }
    }
}
