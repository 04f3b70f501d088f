import Blocks
import NIOConcurrencyHelpers
import NIOPosix
import Synchronization

/// Writes blocks into staged ``Blocks/WriteSession``s of a repository, one after another: a session takes at most
/// ``maxBlocksPerSession`` blocks or ``maxBytesPerSession`` bytes; a full one is closed (its blocks fsynced and
/// renamed into place) on the thread pool while the next one fills. When the previous close still runs, the full
/// session is closed at once, on the caller's thread: a disk slower than the network slows the writer down instead
/// of piling up sessions. ``flush()`` closes the current session and reports a background close that failed.
///
/// Its sessions do not start each file's writeback as it is written (`startsWriteback: false`): that call waits
/// whenever the block layer throttles writeback, and a stall of the disk then stopped the writer, its queue and the
/// fetch behind it for as long as the stall lasted (170-190 ms at a time on this project's VM). The page cache
/// takes the blocks; the background close's `syncfs` writes them out.
final class StagedSessionWriter: Sendable {
    static let maxBlocksPerSession = 512
    static let maxBytesPerSession = 128 << 20

    let store: FileBlockStore
    /// The bytes a session takes before it is closed: ``maxBytesPerSession``, or less for a repository with a
    /// cache, whose blocks in open sessions cannot be evicted yet.
    private let sessionBytes: Int
    private let threadPool: NIOThreadPool
    private let current = Mutex<(session: WriteSession, bytes: Int)?>(nil)
    /// Held by whoever closes a session: closes run one at a time.
    private let closing = NIOLock()
    private let closesRunning = Atomic<Int>(0)
    private let backgroundFailure = Mutex<BlockStoreError?>(nil)

    init(store: FileBlockStore, threadPool: NIOThreadPool, maxSessionBytes: Int = maxBytesPerSession) {
        self.store = store
        self.threadPool = threadPool
        self.sessionBytes = max(1, min(maxSessionBytes, Self.maxBytesPerSession))
    }

    /// Writes `block` into the current session, and closes the session when it is full; returns whether this
    /// call wrote the block's file (``Blocks/WriteSession/putIfAbsent(_:)``).
    @discardableResult
    func write(_ block: Block) throws(BlockStoreError) -> Bool {
        let (wrote, full) = try current.withLock { (current) throws(BlockStoreError) -> (Bool, WriteSession?) in
            if current == nil { current = (try store.beginSession(policy: .staged, startsWriteback: false), 0) }
            let wrote = try current!.session.putIfAbsent(block)
            current!.bytes += block.bytes.count
            guard current!.session.putCount >= Self.maxBlocksPerSession || current!.bytes >= sessionBytes
            else { return (wrote, nil) }
            defer { current = nil }
            return (wrote, current!.session)
        }
        guard let full else { return wrote }
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
        return wrote
    }

    /// Closes the current session and waits for a background close; throws the first failure of either.
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
