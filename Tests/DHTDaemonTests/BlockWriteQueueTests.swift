import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Blocks
@testable import DHTDaemon

/// The queue that writes fetched blocks off the exchange actor.
@Suite struct BlockWriteQueueTests {
    static func block(_ text: String) throws -> Block { try Block(codec: .raw, hashing: Array(text.utf8)) }

    @Test func drainWaitsForEveryBlockInOrder() throws {
        // The first write is held until another thread lets it go, which it does only once every block is queued:
        // the drain below must wait for all twenty writes, whichever runs first.
        let release = DispatchSemaphore(value: 0)
        let written = Mutex<[CID]>([])
        let blocks = try (0..<20).map { try Self.block("block \($0)") }
        let queue = BlockWriteQueue { block in
            if block == blocks[0] { release.wait() }
            written.withLock { $0.append(block.cid) }
        }
        for block in blocks { try queue.enqueue(block) }
        DispatchQueue.global().async { release.signal() }
        try queue.drain()
        let order = written.withLock { $0 }
        #expect(order == blocks.map(\.cid))
    }

    @Test func aBlockOverTheCapIsWrittenOnTheCallersThread() throws {
        let release = DispatchSemaphore(value: 0)
        let written = Mutex<[String]>([])
        let first = try Self.block("first, held by the test")
        let second = try Self.block("second, over the cap")
        let queue = BlockWriteQueue(maxQueuedBytes: first.bytes.count + 1) { block in
            if block == first { release.wait() }
            written.withLock { $0.append(block == first ? "first" : "second") }
        }
        try queue.enqueue(first)
        // `first` is being written (or waits for the writer); `second` does not fit next to it, so the caller
        // writes it itself, before `first` is let go.
        try queue.enqueue(second)
        let beforeRelease = written.withLock { $0 }
        #expect(beforeRelease == ["second"])
        release.signal()
        try queue.drain()
        let afterDrain = written.withLock { $0 }
        #expect(afterDrain == ["second", "first"])
    }

    @Test func aFailedWriteIsReportedByTheNextDrainOnly() throws {
        let bad = try Self.block("this one fails")
        let queue = BlockWriteQueue { (block) throws(BlockStoreError) in
            if block == bad { throw BlockStoreError.diskFull(path: "/full") }
        }
        try queue.enqueue(try Self.block("fine"))
        try queue.enqueue(bad)
        try queue.enqueue(try Self.block("fine too"))
        #expect(throws: BlockStoreError.diskFull(path: "/full")) { try queue.drain() }
        try queue.drain()
    }
}
