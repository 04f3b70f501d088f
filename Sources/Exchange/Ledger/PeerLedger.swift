/// Bytes and blocks exchanged with one peer, each way, since it connected.
public struct PeerLedger: Hashable, Sendable {
    /// Message bytes handed to the shell for this peer (every message type).
    public var bytesSent: UInt64 = 0
    /// Message bytes received from this peer (every message type that decoded).
    public var bytesReceived: UInt64 = 0
    /// Blocks sent.
    public var blocksSent: UInt64 = 0
    /// Block bytes sent.
    public var blockBytesSent: UInt64 = 0
    /// Blocks received that verified.
    public var blocksReceived: UInt64 = 0
    /// Block bytes received that verified.
    public var blockBytesReceived: UInt64 = 0
    /// Blocks received that no fetch wanted any more (duplicates and late answers).
    public var duplicateBlocks: UInt64 = 0
    /// Bytes of those blocks.
    public var duplicateBytes: UInt64 = 0
    /// Wants of this peer refused because its wantlist was full.
    public var wantsRefused: UInt64 = 0
    /// `PADDING` bytes sent (a connection's warm-up: at most once per connection).
    public var paddingBytesSent: UInt64 = 0
    /// `PADDING` bytes received.
    public var paddingBytesReceived: UInt64 = 0

    /// An empty ledger.
    public init() {}
}
