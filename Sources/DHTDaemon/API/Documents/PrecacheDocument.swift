/// One precache request (`POST /v1/precache/{cid}`, and each item of `GET /v1/precache`).
public struct PrecacheItemDocument: Codable, Hashable, Sendable {
    /// The request's number in this daemon's run.
    public var id: UInt64
    /// The DAG's root, as CIDv1.
    public var cid: String
    /// `waiting`, `running`, `done` or `failed`.
    public var state: String
    /// Blocks fetched (once done; blocks that were stored already are not fetched again).
    public var blocks: UInt64?
    /// Their bytes.
    public var bytes: UInt64?
    /// Why it failed.
    public var error: String?
    /// When it was asked for and when it ended, seconds since 1970.
    public var queuedAt: Int64
    public var finishedAt: Int64?

    /// Creates a document.
    public init(
        id: UInt64, cid: String, state: String, blocks: UInt64? = nil, bytes: UInt64? = nil, error: String? = nil,
        queuedAt: Int64, finishedAt: Int64? = nil
    ) {
        self.id = id
        self.cid = cid
        self.state = state
        self.blocks = blocks
        self.bytes = bytes
        self.error = error
        self.queuedAt = queuedAt
        self.finishedAt = finishedAt
    }

    init(_ item: PrecacheQueue.Item) {
        var blocks: UInt64?
        var bytes: UInt64?
        var error: String?
        let state: String
        switch item.state {
        case .waiting: state = "waiting"
        case .running: state = "running"
        case .done(let count, let size):
            state = "done"
            (blocks, bytes) = (count, size)
        case .failed(let reason):
            state = "failed"
            error = reason
        }
        self.init(
            id: item.id, cid: item.root.v1.description, state: state, blocks: blocks, bytes: bytes, error: error,
            queuedAt: item.queuedAt, finishedAt: item.finishedAt)
    }
}

/// The block cache's budget and contents (`GET /v1/precache`).
public struct CacheDocument: Codable, Hashable, Sendable {
    /// The budget in bytes; `nil` when the cache is off (`--cache-size off`).
    public var budgetBytes: UInt64?
    /// Bytes of the unpinned blocks the cache holds.
    public var bytes: UInt64
    /// Those blocks.
    public var blocks: Int
    /// Blocks evicted since the daemon started.
    public var evictions: UInt64
    /// Their bytes.
    public var evictedBytes: UInt64

    /// Creates a document.
    public init(budgetBytes: UInt64?, bytes: UInt64, blocks: Int, evictions: UInt64, evictedBytes: UInt64) {
        self.budgetBytes = budgetBytes
        self.bytes = bytes
        self.blocks = blocks
        self.evictions = evictions
        self.evictedBytes = evictedBytes
    }
}

/// `GET /v1/precache`: the precache requests (running, waiting, the last finished) and the cache.
public struct PrecacheDocument: Codable, Hashable, Sendable {
    /// Running first, then waiting, then the last finished ones, newest first.
    public var items: [PrecacheItemDocument]
    /// The cache.
    public var cache: CacheDocument

    /// Creates a document.
    public init(items: [PrecacheItemDocument], cache: CacheDocument) {
        self.items = items
        self.cache = cache
    }
}
