/// Every tuning knob and cap of an ``ExchangeInstance``, with documented defaults (docs/PROTOCOL.md, "Block
/// exchange", states the rules they implement).
///
/// Every table, queue and wantlist the instance keeps is bounded by one of these.
public struct ExchangeConfiguration: Hashable, Sendable {
    // MARK: Peers and bans

    /// The most connected peers the instance tracks (ledgers, wantlists). Default 1,024; a peer over the cap is
    /// told to disconnect.
    public var maxPeers = 1024
    /// How long a peer that sent a block failing its hash stays banned. Default 1 hour.
    public var banDuration: Duration = .seconds(3600)
    /// The most bans remembered; when full, the ban that ends first is dropped. Default 4,096.
    public var maxBans = 4096

    // MARK: Server

    /// The most `WANT_BLOCK` entries queued per peer. Wants over the cap are refused (`DONT_HAVE` when the want
    /// asked for it). Default 1,024.
    public var maxWantlistEntriesPerPeer = 1024
    /// The most bytes the server lets wait in one peer's channel (handed to the shell, not yet written): blocks
    /// wait in the wantlist until the peer's channel drains below this. Default 4 MiB.
    public var maxOutstandingBytesPerPeer = 4 * 1024 * 1024
    /// The most bytes the server lets wait in the channels of draining (not stalled) peers together. Default 64 MiB.
    public var maxOutstandingBytesTotal = 64 * 1024 * 1024
    /// A peer with bytes waiting in its channel whose channel wrote none of them for this long is stalled: its
    /// bytes stop counting against ``maxOutstandingBytesTotal`` (so they cannot keep a new or fast peer waiting)
    /// and it is sent nothing more until its channel writes again. Default 1 s: a peer that drains at all writes a
    /// 256 KiB block well within it.
    public var drainStallTimeout: Duration = .seconds(1)
    /// A peer stalled this long (its channel wrote nothing since) is disconnected
    /// (``DisconnectReason/slowReader``). Default 10 s.
    public var slowReaderTimeout: Duration = .seconds(10)
    /// The most bytes stalled peers may hold waiting together; over it, the peer stalled longest is disconnected
    /// (``DisconnectReason/slowReader``) until they fit. With ``maxOutstandingBytesTotal`` this bounds the
    /// memory waiting in all channels. Default 64 MiB.
    public var maxStalledBytesTotal = 64 * 1024 * 1024
    /// The deficit-round-robin quantum: bytes of blocks a peer may be sent per turn. Default 256 KiB.
    public var serverQuantum = 256 * 1024
    /// The most queued wants of one peer whose blocks the source was told to prepare
    /// (``BlockSource/prepareToServe(_:)``) and that are not yet served: a read-ahead of about 8 MiB of 256 KiB
    /// blocks per peer, more than a window at 500 MB/s. Wants queued over it are prepared in arrival order as served
    /// and cancelled ones make room. Default 32.
    public var maxPreparedBlocksPerPeer = 32
    /// The most such wants over all peers. Default 256.
    public var maxPreparedBlocksTotal = 256

    // MARK: Client

    /// The most fetches running at once. Default 64.
    public var maxFetches = 64
    /// The most peers in one fetch session. Default 32.
    public var maxSessionPeers = 32
    /// The most connected peers a new fetch asks `WANT_BLOCK` for its root at once, before any of them said
    /// `HAVE` (preferred peers first: the session rendezvous' members); the others are asked `WANT_HAVE`. A peer
    /// that holds the root then answers with the block itself, one round trip sooner, at the cost of a duplicate
    /// root from each further holder among them (cancelled as soon as the first copy arrives). 0 asks
    /// `WANT_HAVE` only. Default 8.
    public var optimisticRootPeers = 8
    /// A peer that sends a `PADDING` (a warm-up) on a connection this node has not warmed yet gets one back of the same
    /// size, up to this many bytes, so both directions are warm when only one side decided to warm the connection
    /// (docs/PROTOCOL.md, "Warm-up"). 0 never answers. Default 256 KiB.
    public var warmUpEchoBytes = 256 * 1024
    /// The most blocks of one DAG known and not yet received (the frontier). A DAG wider than this within the
    /// read-ahead fails the fetch. Default 65,536.
    public var maxPendingBlocksPerFetch = 65_536
    /// The most leaves one fetch started with `referencesLeaves` hands out as references (1,048,576: 256 GiB of
    /// 256 KiB leaves); later leaves go to the block store.
    public var maxReferencedLeavesPerFetch = 1 << 20
    /// The most `DONT_HAVE` answers remembered per session peer; a peer past it leaves the session. Default 4,096.
    public var maxMissingPerPeer = 4096
    /// Read-ahead: the fetch requests no block that starts this many bytes or more past the next byte to deliver.
    /// Default 32 MiB.
    public var readAheadBytes: UInt64 = 32 * 1024 * 1024
    /// The window of a peer before any measurement, in bytes of requested blocks. A peer may be sent a request
    /// whenever less than its window is outstanding, so at least one block is always allowed. Default 256 KiB.
    public var initialWindowBytes = 256 * 1024
    /// The largest window. Default 32 MiB.
    public var maxWindowBytes = 32 * 1024 * 1024
    /// Window = gain × measured delivery rate × minimum round trip (BBR's cwnd gain). With a window below the
    /// bandwidth-delay product the measured rate is window/RTT, so the window doubles every round trip (slow
    /// start) until the link, not the window, limits the rate. Default 2.
    public var windowGain = 2.0
    /// Added to the minimum round trip when sizing a window: gain × rate × (minimum RTT + slack). The minimum RTT
    /// is the best case; a peer's blocks also wait for threads that wait for a CPU (milliseconds on a busy or
    /// virtual machine), and a window sized for the best case runs dry at each such wait. Proportional to the
    /// rate, so a 2.5 MB/s peer's window grows by 25 KB and a 400 MB/s one's by 4 MB. Default 5 ms.
    public var windowSlack: Duration = .milliseconds(5)
    /// Delivery-rate samples kept per peer; the window uses their maximum. Default 8.
    public var rateSamples = 8
    /// How long a minimum round trip stays valid before a larger sample replaces it. Default 10 s.
    public var minRTTLifetime: Duration = .seconds(10)
    /// The least time a peer may go without delivering while it holds requests before they are re-requested
    /// elsewhere. Default 1 s.
    public var requestTimeoutFloor: Duration = .seconds(1)
    /// The stall timeout in round trips: a peer is stalled after max(floor, this × minRTT + 2 × window / rate)
    /// without progress. Default 4.
    public var requestTimeoutRTTs = 4.0
    /// Stalls after which a peer leaves the session. Default 3.
    public var maxStallsPerPeer = 3
    /// The size assumed for a block before it arrives when its parent does not say (dag-pb nodes, the root).
    /// Default 256 KiB.
    public var unknownBlockSizeEstimate = 256 * 1024
    /// Endgame starts when every block left is requested and no more than this many remain. Default 8.
    public var endgameBlocks = 8
    /// In endgame a block is requested from a second peer only after it has been outstanding this many times the
    /// first peer's expected latency. Default 1.5.
    public var endgameLateness = 1.5
    /// The most bytes endgame may ask of a second peer over one fetch, as a share of the fetch's bytes: every such
    /// request can come back twice, so this bounds the duplicates endgame makes (the goal is at most 2 %, and a
    /// busy machine makes peers look late). Default 0.015.
    public var endgameBudgetShare = 0.015
    /// The endgame budget of a small fetch: at least this many bytes. Default 1 MiB.
    public var endgameBudgetFloor = 1 << 20
    /// How often ``ExchangeInstance/tick(now:source:)`` runs while fetches are active. Default 50 ms.
    public var tickInterval: Duration = .milliseconds(50)
    /// A background fetch (a precache) that yields to a foreground fetch asks for one block at most this often, and
    /// only with nothing outstanding: enough to see that its sources are there (and not to give up), little enough
    /// to leave the link to the foreground fetch. Default 5 s.
    public var yieldingRequestInterval: Duration = .seconds(5)

    /// The defaults.
    public init() {}
}
