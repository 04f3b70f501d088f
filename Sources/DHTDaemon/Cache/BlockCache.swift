import Blocks
import Foundation
import Logging
import Metrics
import NIOPosix
import Synchronization

/// The cache of a CDN node: the repository's unpinned blocks, held to a byte budget by evicting the least recently
/// used (``CacheLedger`` keeps the books; this class is its shell over a ``Blocks/FileBlockStore``).
///
/// - **As blocks arrive.** A fetched block is admitted by the write lane that wrote it (``admit(_:)``), and when the
///   cache is over its budget that thread evicts at once, before it writes the next block: the budget holds while
///   a fetch runs, with no sweep on a period. Blocks still in a write session count against the budget but are
///   not deleted until their session closed (their sessions are kept small, ``maxSessionBytes``).
/// - **Recency.** Every read of a block through the store (serving a peer, the gateway, `cat`) makes it the most
///   recently used (``Blocks/FileBlockStore/observeReads(_:)``).
/// - **Never a pinned block.** Deletion goes through ``Blocks/FileBlockStore/evict(_:pinned:)``, which looks at the
///   pins under the pin lock; a block found pinned leaves the books.
/// - **Across a restart.** A block's last use is its file's modification time: written when it is written, and
///   set again on a read at most once a minute (``CacheLedger/stampInterval``). At start (and after `gc`, pin
///   changes or `blocks rm`), ``rescan()`` lists the unpinned block files and orders those the books do not know by
///   that time, as the least recently used.
///
/// `/metrics`: `cache_bytes`, `cache_blocks`, `cache_budget_bytes` (gauges), `cache_evictions_total`,
/// `cache_evicted_bytes_total` (counters).
public final class BlockCache: Sendable {
    /// The budget.
    public let budget: UInt64
    private let store: FileBlockStore
    private let ledger: Mutex<CacheLedger>
    private let pinned = Mutex(FileBlockStore.PinnedBlocks())
    /// Held by the thread that evicts: another thread that finds the cache over budget waits for it, then looks again.
    private let evicting = Mutex(())
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let bytesGauge = Gauge(label: "cache_bytes")
    private let blocksGauge = Gauge(label: "cache_blocks")
    private let evictions = Counter(label: "cache_evictions_total")
    private let evictedBytes = Counter(label: "cache_evicted_bytes_total")
    private let counters = Mutex((evictions: UInt64(0), evictedBytes: UInt64(0)))

    /// A cache of `store`'s unpinned blocks within `budget` bytes. Reads of the store update its recency from now
    /// on; call ``rescan()`` once to take in the blocks already on disk.
    public init(store: FileBlockStore, budget: UInt64, threadPool: NIOThreadPool = .singleton, logger: Logger) {
        self.store = store
        self.budget = budget
        self.ledger = Mutex(CacheLedger(budget: budget))
        self.threadPool = threadPool
        self.logger = logger
        Gauge(label: "cache_budget_bytes").record(budget)
        store.observeReads { [weak self] multihash in self?.touch(multihash) }
    }

    /// The most bytes a write session of a fetch should hold before it closes: an eighth of the budget (at most the
    /// writer's own limit), so that the blocks not yet deletable stay a small part of it.
    public var maxSessionBytes: Int { Int(min(budget / 8, UInt64(Int.max))) }

    /// What the cache holds now.
    public struct Status: Sendable, Hashable {
        /// The budget in bytes.
        public var budget: UInt64
        /// Bytes of the blocks held.
        public var byteCount: UInt64
        /// Blocks held.
        public var blockCount: Int
        /// Blocks evicted since the daemon started.
        public var evictions: UInt64
        /// Their bytes.
        public var evictedBytes: UInt64
    }

    /// The budget, what is held and what was evicted.
    public var status: Status {
        let (bytes, count) = ledger.withLock { ($0.byteCount, $0.count) }
        let (evicted, evictedBytes) = counters.withLock { ($0.evictions, $0.evictedBytes) }
        return Status(budget: budget, byteCount: bytes, blockCount: count, evictions: evicted, evictedBytes: evictedBytes)
    }

    /// A fetched block was written (or was there already): it is the most recently used, and the cache evicts
    /// until it is within its budget again, on this thread.
    public func admit(_ block: Block) {
        let now = Self.now()
        ledger.withLock { $0.admit(block.cid.multihash, byteCount: UInt64(block.bytes.count), now: now) }
        evictWhileOverBudget()
    }

    /// A block was read: it is the most recently used (stamped on disk at most once a minute).
    func touch(_ multihash: Multihash) {
        let now = Self.now()
        if ledger.withLock({ $0.touch(multihash, now: now) }) { store.markUsed(multihash) }
    }

    /// Lists the unpinned block files and takes in those the books do not know (as the least recently used, by
    /// their last use on disk), drops the ones that are gone or pinned, then evicts down to the budget. On the
    /// thread pool.
    public func rescan() async {
        do {
            try await threadPool.runIfActive { [self] in
                let found = try pinned.withLock { (pinned) throws(BlockStoreError) in
                    try store.unpinnedBlocks(pinned: &pinned)
                }
                ledger.withLock { $0.merge(found) }
                evictWhileOverBudget()
            }
        } catch {
            logger.warning("cannot scan the repository for the cache", metadata: ["error": "\(error)"])
        }
    }

    /// Evicts least recently used blocks until within the budget, one thread at a time, then records the gauges: a
    /// figure over the budget is recorded only when nothing more could be evicted (blocks still being written), not
    /// the moment between a block's admission and the eviction it causes.
    private func evictWhileOverBudget() {
        evicting.withLock { _ in
            while true {
                let (over, bytes, count) = ledger.withLock { ($0.isOverBudget, $0.byteCount, $0.count) }
                if !over || !evictRound() {
                    bytesGauge.record(bytes)
                    blocksGauge.record(count)
                    return
                }
            }
        }
    }

    /// One round: the ledger's candidates go to the store, outside the ledger's lock (the store's walk of pinned
    /// DAGs reads blocks, which calls ``touch(_:)``). Returns whether the books changed.
    private func evictRound() -> Bool {
        let candidates = ledger.withLock { $0.candidates() }
        guard !candidates.isEmpty else { return false }
        let eviction: FileBlockStore.Eviction
        do {
            eviction = try pinned.withLock { (pinned) throws(BlockStoreError) in
                try store.evict(candidates, pinned: &pinned)
            }
        } catch {
            logger.warning("cache eviction refused", metadata: ["error": "\(error)"])
            return false
        }
        let now = Self.now()
        ledger.withLock { ledger in
            for multihash in eviction.removed.keys { ledger.remove(multihash) }
            for multihash in eviction.pinned + eviction.missing { ledger.remove(multihash) }
            // Still being written: they go to the young end and come up again once older blocks are gone.
            for multihash in eviction.held { ledger.touch(multihash, now: now) }
        }
        if !eviction.removed.isEmpty {
            let bytes = eviction.removed.values.reduce(0, +)
            counters.withLock {
                $0.evictions += UInt64(eviction.removed.count)
                $0.evictedBytes += bytes
            }
            evictions.increment(by: Int64(eviction.removed.count))
            evictedBytes.increment(by: Int64(bytes))
        }
        return eviction.held.count < candidates.count
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
