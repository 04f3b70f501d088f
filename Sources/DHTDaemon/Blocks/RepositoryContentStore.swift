import Blocks
import DHTCrypto
import DHTNode
import Exchange
import NIOPosix

/// The daemon's repository as the node's ``DHTNode/ContentStore``: peers are served from it, and fetched blocks go
/// into it through staged write sessions (``StagedSessionWriter``): their fsyncs are grouped (one sync for many
/// blocks, never one per block) and garbage collection keeps them while their session is open.
///
/// ``put(_:)`` hands the block to one of ``defaultWriteLaneCount`` write lanes, chosen by its digest: each lane is a
/// ``BlockWriteQueue`` (its share of 16 MiB waiting) in front of a ``StagedSessionWriter`` of its own, so the
/// exchange actor that calls it goes on with the next block while the lanes' threads write the earlier ones, side by
/// side. One lane was a serial stage of a fetch: writing a block file costs a copy into the page cache, and where
/// that memory is slow to come by (a virtual machine whose host takes back the guest's free memory) one writer
/// thread was busy most of a 1 → 1 fetch and held up the reader behind it.
/// ``flush()`` waits for every lane's queue, then closes their sessions; it is called when a fetch ends, and
/// reports a write or background close that failed.
///
/// Fetched blocks are not pinned: like `ipfs get`, a fetch leaves the next `gc` free to remove them. With a
/// ``BlockCache`` they form its cache: each block written is admitted by the lane that wrote it, which evicts the
/// least recently used unpinned blocks at once when the budget is exceeded.
///
/// An app that embeds a ``DHTNode/Node`` opens one with ``init(folder:)`` (the folder the daemon keeps as
/// `DIR/repo` works too, while no daemon holds it) and passes it as the node's ``DHTNode/ContentConfiguration``
/// store: what it adds and fetches then stays on disk, and `dhtnode --repo FOLDER` reads it.
///
/// Serving (``blockBytes(_:)``) hashes a block the first time this process serves it and remembers that it
/// matched (``VerifiedBlockMemory``, shared with ``BlockRepository``), so a block served to many fetchers is read
/// each time but hashed once; a block this process wrote (fetched and verified on arrival, or imported) is
/// remembered when it is written.
public final class RepositoryContentStore: ContentStore {
    let store: FileBlockStore
    /// Blocks already hashed by this process (served once, or put by a fetch that verified them).
    let verified: VerifiedBlockMemory
    /// The write lanes; a block goes to the lane its digest's last byte picks, so one block is never written by two.
    private let lanes: [WriteLane]
    /// The cache that fetched blocks join; `nil`: they stay until `gc`.
    let cache: BlockCache?
    /// Where file I/O and hashing run.
    private let threadPool: NIOThreadPool

    /// Write lanes by default: two, which is enough to keep a writer that waits for memory from holding up a fetch
    /// on a machine of two cores, and few enough that their sessions' fsyncs stay grouped.
    static let defaultWriteLaneCount = 2

    /// A write queue and the session writer it feeds.
    private struct WriteLane {
        let sessions: StagedSessionWriter
        let queue: BlockWriteQueue
    }

    /// Opens the repository in `folder` for writing (creating it when missing) and holds its lock until the store
    /// is released.
    ///
    /// - Throws: ``Blocks/BlockStoreError`` (another process holds the lock; not a repository).
    public convenience init(folder: String) throws {
        self.init(store: try FileBlockStore(path: folder, mode: .readWrite, create: true))
    }

    /// - Parameters:
    ///   - maxQueuedBytes: the cap on fetched bytes waiting to be written, shared evenly by the lanes.
    ///   - writeLaneCount: how many blocks may be written at once (at least 1).
    init(
        store: FileBlockStore,
        threadPool: NIOThreadPool = .singleton,
        verified: VerifiedBlockMemory = .init(),
        maxQueuedBytes: Int = BlockWriteQueue.defaultMaxQueuedBytes,
        writeLaneCount: Int = defaultWriteLaneCount,
        cache: BlockCache? = nil
    ) {
        self.store = store
        self.verified = verified
        self.cache = cache
        self.threadPool = threadPool
        let laneCount = max(1, writeLaneCount)
        // With a cache, the lanes' open sessions together hold at most about a quarter of its budget (a lane may
        // have a full session closing while the next fills).
        let sessionBytes = cache.map { $0.maxSessionBytes / laneCount } ?? StagedSessionWriter.maxBytesPerSession
        self.lanes = (0..<laneCount).map { _ in
            let sessions = StagedSessionWriter(store: store, threadPool: threadPool, maxSessionBytes: sessionBytes)
            let queue = BlockWriteQueue(maxQueuedBytes: maxQueuedBytes / laneCount) { (block) throws(BlockStoreError) in
                // Admitted before it is written, so the room it takes is made first: the files never exceed the
                // budget, even for a moment.
                cache?.admit(block)
                if try sessions.write(block) { verified.record(block.cid.multihash) }
            }
            return WriteLane(sessions: sessions, queue: queue)
        }
    }

    /// The block's bytes for a peer: hashed unless this process verified the block before; `nil` when it is
    /// missing, unreadable or corrupt (the peer then hears `DONT_HAVE`-like silence rather than wrong bytes).
    public func blockBytes(_ cid: CID) -> [UInt8]? {
        if verified.contains(cid.multihash) {
            return (try? store.unverifiedBytes(cid)) ?? nil
        }
        guard let bytes = (try? store.get(cid)) ?? nil else { return nil }
        verified.record(cid.multihash)
        return bytes
    }

    /// A peer's `WANT_BLOCK` for `cid` is queued: the kernel starts reading its file, so that ``blockBytes(_:)``
    /// finds it in the page cache, and the files of many queued wants are read at once rather than one after another
    /// on the exchange actor.
    public func prepareToServe(_ cid: CID) { store.prepareToRead(cid) }

    public func get(_ cid: CID) throws(BlockStoreError) -> [UInt8]? { try store.get(cid) }
    public func has(_ cid: CID) throws(BlockStoreError) -> Bool { store.has(cid) }
    public func getVerified(_ cid: CID) throws(BlockStoreError) -> Block? { try store.getVerified(cid) }
    @discardableResult
    public func delete(_ cid: CID) throws(BlockStoreError) -> Bool { try store.delete(cid) }

    /// Queues `block` for its lane's current session; once written, it is remembered as verified (a block whose file
    /// was there already is not: serving it hashes it the first time).
    public func put(_ block: Block) throws(BlockStoreError) {
        try lanes[lane(of: block.cid)].queue.enqueue(block)
    }

    /// The lane that writes `cid`'s block.
    func lane(of cid: CID) -> Int {
        Int(cid.multihash.digest.bytes[SHA256Digest.byteCount - 1]) % lanes.count
    }

    /// Adds the regular file at `path` as `dhtnode add` does through a daemon: copied into one packed file while its
    /// pieces are hashed on every core, the root pinned (``PackedFileImport``).
    ///
    /// - Throws: ``PackedFileImportError`` when the file cannot be read or changed meanwhile; a ``BlockStoreError``.
    public func addFile(at path: String, profile: ImportProfile) async throws -> ImportResult? {
        let source = try await threadPool.runIfActive { try PackedFileImport.Source(path: path) }
        return try await PackedFileImport.importing(
            source, profile: profile, into: store, verified: verified, threadPool: threadPool, pin: true, nocopy: false,
            progress: { _ in })
    }

    /// Waits for every lane's queued blocks, then makes every block put so far durable; throws the first failure
    /// after trying every lane.
    public func flush() throws(BlockStoreError) {
        var failure: BlockStoreError?
        for lane in lanes {
            do throws(BlockStoreError) { try lane.queue.drain() } catch { failure = failure ?? error }
        }
        for lane in lanes {
            do throws(BlockStoreError) { try lane.sessions.flush() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
