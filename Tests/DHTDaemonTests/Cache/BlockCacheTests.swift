import Foundation
import Logging
import Testing

@testable import Blocks
@testable import DHTDaemon

@Suite("BlockCache: a repository's unpinned blocks within a budget")
struct BlockCacheTests {
    /// Blocks of 100 bytes each.
    func block(_ n: Int) -> Block {
        try! Block(codec: .raw, hashing: Array(String(format: "%-100d", n).utf8))
    }

    func cache(_ store: FileBlockStore, budget: UInt64) -> BlockCache {
        BlockCache(store: store, budget: budget, logger: Logger(label: "test"))
    }

    /// Stores blocks `numbers` and admits each to `cache`, as a fetch's write lane does.
    func fetch(_ numbers: Range<Int>, into store: FileBlockStore, _ cache: BlockCache) throws {
        for n in numbers {
            try store.put(block(n))
            cache.admit(block(n))
        }
    }

    @Test("blocks past the budget evict the least recently used at once, from disk and the books")
    func evictsAsBlocksArrive() throws {
        try withTemporaryFolder { folder in
            let store = try FileBlockStore(path: folder + "/repo")
            let cache = cache(store, budget: 300)
            for n in 0..<5 {
                try fetch(n..<(n + 1), into: store, cache)
                #expect(cache.status.byteCount <= 300)
            }
            #expect(!store.has(block(0).cid))
            #expect(!store.has(block(1).cid))
            #expect((2..<5).allSatisfy { store.has(block($0).cid) })
            #expect(cache.status.evictions == 2)
            #expect(cache.status.evictedBytes == 200)
            #expect(cache.status.blockCount == 3)
        }
    }

    @Test("a block read (served, or through the gateway) is kept over older ones")
    func readsRenew() throws {
        try withTemporaryFolder { folder in
            let store = try FileBlockStore(path: folder + "/repo")
            let cache = cache(store, budget: 300)
            try fetch(0..<3, into: store, cache)
            #expect(try store.get(block(0).cid) == block(0).bytes)
            try fetch(3..<4, into: store, cache)
            #expect(store.has(block(0).cid), "read last: kept")
            #expect(!store.has(block(1).cid), "least recently used: evicted")
        }
    }

    @Test("pinned blocks are never evicted, and leave the books; a pin made after admission counts")
    func pinnedStay() throws {
        try withTemporaryFolder { folder in
            let store = try FileBlockStore(path: folder + "/repo")
            let cache = cache(store, budget: 200)
            try fetch(0..<2, into: store, cache)
            try store.pin(block(0).cid)
            try fetch(2..<6, into: store, cache)
            #expect(store.has(block(0).cid))
            #expect(cache.status.byteCount <= 200)
            #expect(cache.status.blockCount == 2)
            #expect(store.has(block(4).cid) && store.has(block(5).cid))
        }
    }

    @Test("blocks a live write session holds are not deleted until it closed")
    func sessionsHold() throws {
        try withTemporaryFolder { folder in
            let store = try FileBlockStore(path: folder + "/repo")
            let cache = cache(store, budget: 100)
            let session = try store.beginSession()
            for n in 0..<3 {
                try session.put(block(n))
                cache.admit(block(n))
            }
            try session.flush()
            #expect((0..<3).allSatisfy { store.has(block($0).cid) })
            try session.close()
            try fetch(3..<4, into: store, cache)
            #expect(cache.status.byteCount <= 100)
            #expect(store.has(block(3).cid))
            #expect(!(0..<3).contains { store.has(block($0).cid) })
        }
    }

    @Test("after a restart the order is the files' last use: the oldest go first")
    func orderSurvivesRestart() async throws {
        try await withAsyncTemporaryFolder { folder in
            let store = try FileBlockStore(path: folder + "/repo")
            // Written in the order 0, 1, 2; then used in the order 2, 0, 1 (modification times).
            let base = Date(timeIntervalSince1970: 1_700_000_000)
            for (n, age) in [(0, 20), (1, 30), (2, 10)] {
                try store.put(block(n))
                let path = store.layout.location(of: block(n).cid.multihash).path
                try FileManager.default.setAttributes(
                    [.modificationDate: base.addingTimeInterval(Double(age))], ofItemAtPath: path)
            }
            let cache = cache(store, budget: 300)
            await cache.rescan()
            #expect(cache.status.blockCount == 3)
            try fetch(3..<4, into: store, cache)
            #expect(!store.has(block(2).cid), "used longest ago: evicted first")
            #expect(store.has(block(0).cid) && store.has(block(1).cid))
        }
    }

    @Test("markUsed moves a file's modification time to now")
    func markUsedStamps() throws {
        try withTemporaryFolder { folder in
            let store = try FileBlockStore(path: folder + "/repo")
            try store.put(block(0))
            let path = store.layout.location(of: block(0).cid.multihash).path
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1000)], ofItemAtPath: path)
            store.markUsed(block(0).cid.multihash)
            let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
            #expect((modified?.timeIntervalSinceNow ?? -1000).magnitude < 60)
        }
    }
}
