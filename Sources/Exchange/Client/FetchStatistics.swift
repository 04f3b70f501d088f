/// What one fetch took and who it came from (DCDN's measures: time to first and last byte, bytes per source,
/// effective bandwidth), plus the duplicate bytes the goal of ≤ 2 % is about.
public struct FetchStatistics: Hashable, Sendable {
    /// What one peer contributed.
    public struct Contribution: Hashable, Sendable {
        /// Verified block bytes the fetch used from this peer.
        public var bytes: UInt64 = 0
        /// Verified blocks the fetch used from this peer.
        public var blocks: UInt64 = 0
        /// Of ``bytes``, those that came over a relayed connection (the rest came directly, or from an HTTP source).
        public var relayedBytes: UInt64 = 0
        /// Bytes of blocks from this peer that another peer had already delivered.
        public var duplicateBytes: UInt64 = 0
        /// When the first block the fetch used from this peer arrived.
        public var firstBlockAt: ExchangeInstant?
        /// When the last one arrived: with ``firstBlockAt``, when the peer was busy for the fetch (a peer whose
        /// last block came well before the fetch's end had nothing left to send while others still did).
        public var lastBlockAt: ExchangeInstant?

        /// Nothing yet.
        public init() {}

        /// Counts a block of `byteCount` bytes from this peer that arrived at `now`.
        mutating func countBlock(byteCount: Int, relayed: Bool = false, at now: ExchangeInstant) {
            bytes += UInt64(byteCount)
            if relayed { relayedBytes += UInt64(byteCount) }
            blocks += 1
            if firstBlockAt == nil { firstBlockAt = now }
            lastBlockAt = now
        }
    }

    /// When the fetch started.
    public var startedAt: ExchangeInstant
    /// The whole file's size, known once its root arrived (0 for a directory or a symbolic link fetched into the
    /// store); `nil` before.
    public var fileSize: UInt64?
    /// When the first byte was delivered.
    public var firstByteAt: ExchangeInstant?
    /// When the last byte was delivered (or the fetch failed).
    public var finishedAt: ExchangeInstant?
    /// File bytes delivered.
    public var bytesDelivered: UInt64 = 0
    /// Verified block bytes used (leaves and internal nodes), over all peers.
    public var blockBytes: UInt64 = 0
    /// Verified blocks used.
    public var blocks: UInt64 = 0
    /// Bytes of blocks received that the fetch already had (wasted transfer).
    public var duplicateBytes: UInt64 = 0
    /// Such blocks.
    public var duplicateBlocks: UInt64 = 0
    /// Requests re-sent after a stall, a disconnect or `DONT_HAVE`.
    public var rerequests: UInt64 = 0
    /// Requests sent to a second peer in endgame.
    public var endgameRequests: UInt64 = 0
    /// Requests moved at the tail from the peer that would send them last to one that delivers them sooner (each
    /// is a duplicate if the first peer had started sending it).
    public var movedRequests: UInt64 = 0
    /// Per peer.
    public var peers: [ExchangePeer: Contribution] = [:]

    /// Verified block bytes that came over relayed connections (docs/PROTOCOL.md, "Relays").
    public var relayedBytes: UInt64 { peers.values.reduce(0) { $0 + $1.relayedBytes } }

    /// Statistics of a fetch started at `startedAt`.
    public init(startedAt: ExchangeInstant) { self.startedAt = startedAt }

    /// Adds the bytes, blocks, requests and peers of `other`, a fetch of the same node's exchange that belongs to
    /// the same whole (a directory's entries, fetched after its root): one figure for the tree. The first byte
    /// stays the earlier one, the last byte becomes the later one.
    public mutating func absorb(_ other: FetchStatistics) {
        if let size = other.fileSize { fileSize = (fileSize ?? 0) + size }
        if let first = other.firstByteAt { firstByteAt = min(firstByteAt ?? first, first) }
        if let last = other.finishedAt { finishedAt = max(finishedAt ?? last, last) }
        bytesDelivered += other.bytesDelivered
        blockBytes += other.blockBytes
        blocks += other.blocks
        duplicateBytes += other.duplicateBytes
        duplicateBlocks += other.duplicateBlocks
        rerequests += other.rerequests
        endgameRequests += other.endgameRequests
        movedRequests += other.movedRequests
        for (peer, contribution) in other.peers {
            var merged = peers[peer] ?? Contribution()
            merged.bytes += contribution.bytes
            merged.blocks += contribution.blocks
            merged.relayedBytes += contribution.relayedBytes
            merged.duplicateBytes += contribution.duplicateBytes
            if let first = contribution.firstBlockAt { merged.firstBlockAt = min(merged.firstBlockAt ?? first, first) }
            if let last = contribution.lastBlockAt { merged.lastBlockAt = max(merged.lastBlockAt ?? last, last) }
            peers[peer] = merged
        }
    }

    /// Time to first byte.
    public var timeToFirstByte: Duration? { firstByteAt.map { $0 - startedAt } }
    /// Time to last byte.
    public var timeToLastByte: Duration? { finishedAt.map { $0 - startedAt } }
    /// Effective throughput: delivered bytes per second from start to last byte.
    public var throughput: Double? {
        guard let finishedAt, finishedAt > startedAt else { return nil }
        return Double(bytesDelivered) / finishedAt.seconds(since: startedAt)
    }
    /// Duplicate bytes as a fraction of useful block bytes.
    public var duplicateRatio: Double {
        blockBytes == 0 ? 0 : Double(duplicateBytes) / Double(blockBytes)
    }
}
