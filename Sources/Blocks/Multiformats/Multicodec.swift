/// Multicodec codes that swift-dht reads and writes.
public enum Multicodec: UInt64, Sendable {
    /// Raw bytes: a leaf block of a file.
    case raw = 0x55
    /// dag-pb: a UnixFS node.
    case dagPB = 0x70
    /// The sha2-256 multihash function.
    case sha2_256 = 0x12
}
