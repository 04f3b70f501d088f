import Exchange

/// `POST /v1/fetch/{cid}`: what fetching a file from peers took, the fields `dhtnode get --stats --json` prints
/// (time to first and last byte, bytes per peer, duplicates, throughput).
public struct FetchDocument: Codable, Hashable, Sendable {
    /// What one peer sent.
    public struct PeerContribution: Codable, Hashable, Sendable {
        /// The peer's node ID (hex).
        public var id: String
        /// The URL of the HTTP source (a trustless gateway) these bytes came from; absent for a peer.
        public var source: String?
        /// Verified block bytes used from it.
        public var bytes: UInt64
        /// Verified blocks used from it.
        public var blocks: UInt64
        /// Bytes of blocks it sent that another peer had sent first.
        public var duplicateBytes: UInt64
        /// Of ``bytes``, those that came through a relay (absent when none did).
        public var relayedBytes: UInt64?
        /// Its share of all block bytes used, 0 to 1.
        public var share: Double
        /// When its first block used arrived, in seconds since the fetch started.
        public var firstBlock: Double?
        /// When its last block used arrived, in seconds since the fetch started.
        public var lastBlock: Double?

        /// Creates a contribution.
        public init(
            id: String, bytes: UInt64, blocks: UInt64, duplicateBytes: UInt64, share: Double,
            firstBlock: Double? = nil, lastBlock: Double? = nil
        ) {
            self.id = id
            self.bytes = bytes
            self.blocks = blocks
            self.duplicateBytes = duplicateBytes
            self.share = share
            self.firstBlock = firstBlock
            self.lastBlock = lastBlock
        }
    }

    /// The root CID.
    public var cid: String
    /// Whether every block was in the repository already (nothing was fetched; the other fields are zero).
    public var local: Bool
    /// File bytes delivered.
    public var bytes: UInt64
    /// Verified blocks used.
    public var blocks: UInt64
    /// Time to first byte, in seconds.
    public var timeToFirstByte: Double?
    /// Time to last byte, in seconds.
    public var timeToLastByte: Double?
    /// File bytes per second from start to last byte.
    public var throughput: Double?
    /// Bytes of blocks received twice.
    public var duplicateBytes: UInt64
    /// Duplicate bytes as a fraction of the block bytes used.
    public var duplicateRatio: Double
    /// Requests sent again after a stall, a disconnect or `DONT_HAVE`.
    public var rerequests: UInt64
    /// Blocks asked of a second peer at the tail because the first was late (endgame); each can make a duplicate.
    public var endgameRequests: UInt64
    /// Requests moved at the tail from the peer that would send them last to one that delivers them sooner.
    public var movedRequests: UInt64
    /// Per peer, most bytes first.
    public var peers: [PeerContribution]
    /// The share of the block bytes that came from peers rather than HTTP sources (1 when there were none).
    public var peerShare: Double?
    /// Block bytes from peers over direct connections (including those a hole punch opened).
    public var directBytes: UInt64 = 0
    /// Block bytes from peers that came through a relay.
    public var relayedBytes: UInt64 = 0

    /// Creates a document.
    public init(
        cid: String, local: Bool, bytes: UInt64, blocks: UInt64, timeToFirstByte: Double?,
        timeToLastByte: Double?, throughput: Double?, duplicateBytes: UInt64, duplicateRatio: Double,
        rerequests: UInt64, endgameRequests: UInt64 = 0, movedRequests: UInt64 = 0, peers: [PeerContribution]
    ) {
        self.cid = cid
        self.local = local
        self.bytes = bytes
        self.blocks = blocks
        self.timeToFirstByte = timeToFirstByte
        self.timeToLastByte = timeToLastByte
        self.throughput = throughput
        self.duplicateBytes = duplicateBytes
        self.duplicateRatio = duplicateRatio
        self.rerequests = rerequests
        self.endgameRequests = endgameRequests
        self.movedRequests = movedRequests
        self.peers = peers
    }

    /// A file that was complete in the repository: nothing fetched.
    public static func local(_ cid: String) -> FetchDocument {
        FetchDocument(
            cid: cid, local: true, bytes: 0, blocks: 0, timeToFirstByte: nil, timeToLastByte: nil,
            throughput: nil, duplicateBytes: 0, duplicateRatio: 0, rerequests: 0, peers: []
        )
    }

    /// The document of a fetch of `cid` that ended with `statistics`; `httpSources` names the contributions that
    /// came from HTTP sources (their URLs).
    public init(cid: String, _ statistics: FetchStatistics, httpSources: [ExchangePeer: String] = [:]) {
        let total = max(1, statistics.blockBytes)
        let peers = statistics.peers.map { peer, contribution in
            var entry = PeerContribution(
                id: peer.id.description,
                bytes: contribution.bytes,
                blocks: contribution.blocks,
                duplicateBytes: contribution.duplicateBytes,
                share: Double(contribution.bytes) / Double(total),
                firstBlock: contribution.firstBlockAt.map { ($0 - statistics.startedAt).inSeconds },
                lastBlock: contribution.lastBlockAt.map { ($0 - statistics.startedAt).inSeconds }
            )
            entry.source = httpSources[peer]
            entry.relayedBytes = contribution.relayedBytes == 0 ? nil : contribution.relayedBytes
            return entry
        }.sorted { ($0.bytes, $0.id) > ($1.bytes, $1.id) }
        self.init(
            cid: cid,
            local: false,
            bytes: statistics.bytesDelivered,
            blocks: statistics.blocks,
            timeToFirstByte: statistics.timeToFirstByte?.inSeconds,
            timeToLastByte: statistics.timeToLastByte?.inSeconds,
            throughput: statistics.throughput,
            duplicateBytes: statistics.duplicateBytes,
            duplicateRatio: statistics.duplicateRatio,
            rerequests: statistics.rerequests,
            endgameRequests: statistics.endgameRequests,
            movedRequests: statistics.movedRequests,
            peers: peers
        )
        let fromPeers = peers.filter { $0.source == nil }.reduce(UInt64(0)) { $0 + $1.bytes }
        let all = peers.reduce(UInt64(0)) { $0 + $1.bytes }
        self.peerShare = all == 0 ? nil : Double(fromPeers) / Double(all)
        self.relayedBytes = statistics.relayedBytes
        self.directBytes = fromPeers - min(fromPeers, statistics.relayedBytes)
    }
}
