import Foundation
import NIOCore
import Testing

@testable import Blocks
@testable import DHTDaemon

/// Serving from the daemon's repository: a block is hashed the first time it is served and not again.
@Suite struct RepositoryContentStoreTests {
    @Test func anAppAddsAFileAsOnePackedFilePinnedAndServedWithoutHashing() async throws {
        try await withAsyncTemporaryFolder { folder in
            let bytes = (0..<(600_000)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/input.bin"))
            let expected = try BalancedDAGBuilder.importBytes(bytes, profile: .unixfsV0_2015_cidv1, to: MemoryBlockStore())
            let store = try RepositoryContentStore(folder: folder + "/repo")
            let added = try #require(try await store.addFile(at: folder + "/input.bin", profile: .unixfsV0_2015_cidv1))
            #expect(added == expected)
            #expect(try store.store.pins() == [expected.root])
            #expect(try store.store.missingBlock(under: expected.root) == nil)
            #expect(FileManager.default.fileExists(atPath: folder + "/repo/files/\(expected.root.v1).pack"))
            let firstLeaf = CID.raw(Multihash(hashing: Array(bytes[..<262_144])))
            #expect(store.verified.contains(firstLeaf.multihash), "written by this process: served without hashing")
            #expect(store.blockBytes(firstLeaf) == Array(bytes[..<262_144]))
            await #expect(throws: PackedFileImportError.self) {
                _ = try await store.addFile(at: folder + "/missing.bin", profile: .unixfsV0_2015_cidv1)
            }
        }
    }

    @Test func aBlockCorruptBeforeItsFirstServeIsNotServed() throws {
        try withTemporaryFolder { folder in
            let files = try FileBlockStore(path: folder + "/repo")
            let block = try Block(codec: .raw, hashing: Array("served block".utf8))
            try files.put(block)
            let path = files.layout.location(of: block.cid.multihash).path
            try Data(Array("served blocK".utf8)).write(to: URL(fileURLWithPath: path))

            let store = RepositoryContentStore(store: files)
            #expect(store.blockBytes(block.cid) == nil, "corrupt on disk: not served")
            #expect(!store.verified.contains(block.cid.multihash))
        }
    }

    @Test func aServedBlockIsHashedOnce() throws {
        try withTemporaryFolder { folder in
            let files = try FileBlockStore(path: folder + "/repo")
            let block = try Block(codec: .raw, hashing: Array("served block".utf8))
            try files.put(block)
            let store = RepositoryContentStore(store: files)
            #expect(store.blockBytes(block.cid) == block.bytes)
            #expect(store.verified.contains(block.cid.multihash))

            // Proof that the second read is not hashed: bytes changed on disk after the first serve go out as
            // they are (the receiver's check catches them; `repo verify` finds the file).
            let path = files.layout.location(of: block.cid.multihash).path
            try Data(Array("served blocK".utf8)).write(to: URL(fileURLWithPath: path))
            #expect(store.blockBytes(block.cid) == Array("served blocK".utf8))
            #expect(throws: BlockStoreError.corruptBlock(block.cid, path: path)) { try files.get(block.cid) }
            try FileManager.default.removeItem(atPath: path)
            #expect(store.blockBytes(block.cid) == nil, "gone: nothing to serve")
        }
    }

    @Test func aFetchedBlockIsRememberedAsVerified() throws {
        try withTemporaryFolder { folder in
            let store = RepositoryContentStore(store: try FileBlockStore(path: folder + "/repo"))
            let block = try Block(codec: .raw, hashing: Array("fetched block".utf8))
            try store.put(block)
            try store.flush()
            #expect(store.verified.contains(block.cid.multihash))
            #expect(store.blockBytes(block.cid) == block.bytes)
        }
    }

    @Test func blocksPutThroughSeveralLanesAreAllDurableAfterFlush() throws {
        try withTemporaryFolder { folder in
            let files = try FileBlockStore(path: folder + "/repo")
            // A cap of 4 KiB over two lanes: most puts find their lane's queue full and write on this thread, in
            // parallel with the lane's own writer.
            let store = RepositoryContentStore(store: files, maxQueuedBytes: 4096, writeLaneCount: 2)
            let blocks = try (0..<64).map { index in
                try Block(codec: .raw, hashing: (0..<1500).map { UInt8(truncatingIfNeeded: $0 &* index &+ 7) })
            }
            for block in blocks { try store.put(block) }
            #expect(Set(blocks.map { store.lane(of: $0.cid) }) == [0, 1], "both lanes take blocks")
            try store.flush()
            for block in blocks {
                #expect(try files.get(block.cid) == block.bytes)
                #expect(store.verified.contains(block.cid.multihash))
            }
            // Each lane's session ended at the flush: nothing is left in a temporary file.
            let left = FileManager.default.enumerator(atPath: files.layout.blocksDirectory)?.allObjects
                .compactMap { $0 as? String }.filter { $0.hasSuffix(RepoLayout.temporarySuffix) }
            #expect(left == [])
        }
    }

    @Test func aBlockWhoseFileWasThereIsNotRememberedUntilServed() throws {
        try withTemporaryFolder { folder in
            let files = try FileBlockStore(path: folder + "/repo")
            let block = try Block(codec: .raw, hashing: Array("there already".utf8))
            try files.put(block)
            let store = RepositoryContentStore(store: files)
            try store.put(block)
            try store.flush()
            #expect(!store.verified.contains(block.cid.multihash), "this process did not write it")
            #expect(store.blockBytes(block.cid) == block.bytes)
            #expect(store.verified.contains(block.cid.multihash), "hashed by its first serve")
        }
    }

    @Test func anAddedFileIsRememberedAsVerified() async throws {
        try await withAsyncTemporaryFolder { folder in
            let repository = try BlockRepository(path: folder + "/repo")
            let bytes = (0..<(600 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let body = AsyncStream<ByteBuffer> { continuation in
                continuation.yield(ByteBuffer(bytes: bytes))
                continuation.finish()
            }
            let added = try await repository.add(body, profile: .unixfsV1_2025, pin: false, onlyHash: false)
            #expect(repository.verified.contains(added.result.root.multihash))
            let store = RepositoryContentStore(store: repository.store, verified: repository.verified)
            #expect(store.blockBytes(added.result.root) == (try repository.store.get(added.result.root)))
        }
    }
}
