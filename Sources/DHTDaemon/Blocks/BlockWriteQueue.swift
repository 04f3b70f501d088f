import Blocks
import DequeModule
import Dispatch
import NIOConcurrencyHelpers

/// Writes blocks on a serial dispatch queue of its own, so that whoever hands them over (the exchange actor, for
/// fetched blocks) does not wait for the file system.
///
/// At most ``maxQueuedBytes`` bytes wait or are being written at a time (one larger block when nothing else is).
/// A block that does not fit is written at once on the caller's thread: a disk slower than the network then slows
/// the caller down instead of filling memory. ``drain()`` waits until every block handed over is written and
/// reports the first write that failed since the last drain. The writes do not run on a shared thread pool: a
/// drain called from a pool thread could otherwise wait for a write queued behind it.
///
/// `@unchecked Sendable`: every mutable field is read and written only while holding ``condition``.
final class BlockWriteQueue: @unchecked Sendable {
    /// The default cap on queued bytes: 64 blocks of 256 KiB.
    static let defaultMaxQueuedBytes = 16 << 20

    let maxQueuedBytes: Int
    private let write: @Sendable (Block) throws(BlockStoreError) -> Void
    private let writer = DispatchQueue(label: "dht.block-write-queue")
    /// Its value is 1 while blocks are queued or being written, 0 when idle; it guards the fields below.
    private let condition = ConditionLock(value: 0)
    private var queue = Deque<Block>()
    private var queuedBytes = 0
    private var isWriting = false
    private var failure: BlockStoreError?

    /// A queue that calls `write` for each block, one at a time, in the order they were queued.
    init(
        maxQueuedBytes: Int = defaultMaxQueuedBytes,
        write: @escaping @Sendable (Block) throws(BlockStoreError) -> Void
    ) {
        self.maxQueuedBytes = maxQueuedBytes
        self.write = write
    }

    /// Queues `block`, or writes it now when the queue is full (then its error is thrown here).
    func enqueue(_ block: Block) throws(BlockStoreError) {
        condition.lock()
        guard queuedBytes + block.bytes.count <= maxQueuedBytes || queuedBytes == 0 else {
            condition.unlock(withValue: 1)
            try write(block)
            return
        }
        queue.append(block)
        queuedBytes += block.bytes.count
        let start = !isWriting
        isWriting = true
        condition.unlock(withValue: 1)
        if start { writer.async { [self] in writeQueued() } }
    }

    /// Waits until every queued block is written; throws the first error a queued write met since the last call.
    func drain() throws(BlockStoreError) {
        condition.lock(whenValue: 0)
        let failure = self.failure
        self.failure = nil
        condition.unlock(withValue: 0)
        if let failure { throw failure }
    }

    private func writeQueued() {
        while true {
            condition.lock()
            guard let block = queue.popFirst() else {
                isWriting = false
                condition.unlock(withValue: 0)
                return
            }
            condition.unlock(withValue: 1)
            do throws(BlockStoreError) {
                try write(block)
            } catch {
                condition.lock()
                failure = failure ?? error
                condition.unlock(withValue: 1)
            }
            condition.lock()
            queuedBytes -= block.bytes.count
            condition.unlock(withValue: 1)
        }
    }
}
