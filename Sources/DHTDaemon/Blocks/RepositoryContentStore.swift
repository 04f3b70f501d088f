import Blocks
import DHTNode
import Exchange
import NIOConcurrencyHelpers
import NIOPosix
import Synchronization

/// The daemon's repository as the node's ``DHTNode/ContentStore``: peers are served from it, and fetched blocks go
/// into it through staged ``WriteSession``s, so their fsyncs are grouped (one sync for many blocks, never one per
/// block) and garbage collection keeps them while their session is open.
///
/// A session takes at most ``maxBlocksPerSession`` blocks or ``maxBytesPerSession`` bytes; a full one is closed
/// (its blocks fsynced and renamed into place) on the thread pool while the next one fills. When the previous close
/// still runs, the full session is closed at once, on the caller's thread: a disk slower than the network slows
/// the fetch down instead of piling up sessions. ``flush()`` closes the current session; it is called when a fetch
/// ends, and reports a background close that failed.
///
/// Fetched blocks are not pinned: like `ipfs get`, a fetch leaves the next `gc` free to remove them.
///
/// Serving (``blockBytes(_:)``) hashes a block the first time this process serves it and remembers that it
/// matched (``VerifiedBlockMemory``), so a block served to many fetchers is read each time but hashed once; a
/// block put by a fetch was verified on arrival and is remembered at once.
final class RepositoryContentStore: ContentStore {
    static let maxBlocksPerSession = 512
    static let maxBytesPerSession = 128 << 20

    let store: FileBlockStore
    private let threadPool: NIOThreadPool
    private let current = Mutex<(session: WriteSession, bytes: Int)?>(nil)
    /// Held by whoever closes a session: closes run one at a time.
    private let closing = NIOLock()
    private let closesRunning = Atomic<Int>(0)
    private let backgroundFailure = Mutex<BlockStoreError?>(nil)

    /// Blocks already hashed by this process (served once, or put by a fetch that verified them).
    let verified: VerifiedBlockMemory

    init(store: FileBlockStore, threadPool: NIOThreadPool = .singleton, verified: VerifiedBlockMemory = .init()) {
        self.store = store
        self.threadPool = threadPool
        self.verified = verified
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

    func put(_ block: Block) throws(BlockStoreError) {
        let full = try current.withLock { (current) throws(BlockStoreError) -> WriteSession? in
            if current == nil { current = (try store.beginSession(policy: .staged), 0) }
            try current!.session.put(block)
            verified.record(block.cid.multihash)
            current!.bytes += block.bytes.count
            guard current!.session.putCount >= Self.maxBlocksPerSession || current!.bytes >= Self.maxBytesPerSession
            else { return nil }
            defer { current = nil }
            return current!.session
        }
        guard let full else { return }
        if closesRunning.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged {
            threadPool.submit { [self] _ in
                defer { closesRunning.store(0, ordering: .releasing) }
                do throws(BlockStoreError) {
                    try close(full)
                } catch {
                    backgroundFailure.withLock { $0 = $0 ?? error }
                }
            }
        } else {
            try close(full)
        }
    }

    func flush() throws(BlockStoreError) {
        let session = current.withLock { current in
            defer { current = nil }
            return current?.session
        }
        if let session { try close(session) }
        // Waits for a background close still running (it holds `closing`).
        closing.withLock {}
        if let failure = backgroundFailure.withLock({ failure in
            defer { failure = nil }
            return failure
        }) {
            throw failure
        }
    }

    private func close(_ session: WriteSession) throws(BlockStoreError) {
        closing.lock()
        defer { closing.unlock() }
        do {
            try session.close()
        } catch {
            session.discard()
            throw error
        }
    }
}

