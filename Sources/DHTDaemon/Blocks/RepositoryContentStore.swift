import Blocks
import DHTNode
import Exchange
import NIOPosix

/// The daemon's repository as the node's ``DHTNode/ContentStore``: peers are served from it, and fetched blocks go
/// into it through staged write sessions (``StagedSessionWriter``): their fsyncs are grouped (one sync for many
/// blocks, never one per block) and garbage collection keeps them while their session is open.
///
/// ``put(_:)`` hands the block to a ``BlockWriteQueue`` (at most 16 MiB waiting), so the exchange actor that calls
/// it goes on with the next block while the queue's own thread writes this one. ``flush()`` waits for the queue, then
/// closes the current session; it is called when a fetch ends, and reports a write or background close that failed.
///
/// Fetched blocks are not pinned: like `ipfs get`, a fetch leaves the next `gc` free to remove them.
///
/// Serving (``blockBytes(_:)``) hashes a block the first time this process serves it and remembers that it
/// matched (``VerifiedBlockMemory``, shared with ``BlockRepository``), so a block served to many fetchers is read
/// each time but hashed once; a block this process wrote (fetched and verified on arrival, or imported) is
/// remembered when it is written.
final class RepositoryContentStore: ContentStore {
    let store: FileBlockStore
    /// Blocks already hashed by this process (served once, or put by a fetch that verified them).
    let verified: VerifiedBlockMemory
    private let sessions: StagedSessionWriter
    /// Fetched blocks on their way to ``sessions``.
    private let writes: BlockWriteQueue

    init(
        store: FileBlockStore,
        threadPool: NIOThreadPool = .singleton,
        verified: VerifiedBlockMemory = .init(),
        maxQueuedBytes: Int = BlockWriteQueue.defaultMaxQueuedBytes
    ) {
        self.store = store
        self.verified = verified
        let sessions = StagedSessionWriter(store: store, threadPool: threadPool)
        self.sessions = sessions
        self.writes = BlockWriteQueue(maxQueuedBytes: maxQueuedBytes) { (block) throws(BlockStoreError) in
            if try sessions.write(block) { verified.record(block.cid.multihash) }
        }
    }

    /// The block's bytes for a peer: hashed unless this process verified the block before; `nil` when it is
    /// missing, unreadable or corrupt (the peer then hears `DONT_HAVE`-like silence rather than wrong bytes).
    func blockBytes(_ cid: CID) -> [UInt8]? {
        if verified.contains(cid.multihash) {
            return (try? store.unverifiedBytes(cid)) ?? nil
        }
        guard let bytes = (try? store.get(cid)) ?? nil else { return nil }
        verified.record(cid.multihash)
        return bytes
    }

    func get(_ cid: CID) throws(BlockStoreError) -> [UInt8]? { try store.get(cid) }
    func has(_ cid: CID) throws(BlockStoreError) -> Bool { store.has(cid) }
    func getVerified(_ cid: CID) throws(BlockStoreError) -> Block? { try store.getVerified(cid) }
    @discardableResult
    func delete(_ cid: CID) throws(BlockStoreError) -> Bool { try store.delete(cid) }

    /// Queues `block` for the current session; once written, it is remembered as verified (a block whose file was
    /// there already is not: serving it hashes it the first time).
    func put(_ block: Block) throws(BlockStoreError) {
        try writes.enqueue(block)
    }

    /// Waits for the queued blocks, then makes every block put so far durable.
    func flush() throws(BlockStoreError) {
        var failure: BlockStoreError?
        do throws(BlockStoreError) { try writes.drain() } catch { failure = error }
        try sessions.flush()
        if let failure { throw failure }
    }
}
