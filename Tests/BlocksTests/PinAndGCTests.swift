import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Blocks

@Suite struct PinAndGCTests {
    /// Imports `bytes` through a session of its own and closes it.
    private func importFile(_ bytes: [UInt8], into store: FileBlockStore) throws -> ImportResult {
        let session = try store.beginSession()
        let result = try BalancedDAGBuilder.importBytes(bytes, profile: tinyProfile, to: session)
        try session.close()
        return result
    }

    private func readFile(_ root: CID, _ store: FileBlockStore) throws -> [UInt8] {
        var reader = try DAGReader(root: root, store: store)
        return try reader.readAll()
    }

    @Test func gcKeepsPinnedDAGsWholeAndRemovesTheRest() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let kept = distinctBytes(60)
            // Shares its first 40 bytes (10 leaves) with `kept`, then differs.
            let dropped = Array(kept[..<40]) + Array(repeating: 0xEE, count: 4) + [1, 2, 3, 4, 5]
            let keptResult = try importFile(kept, into: store)
            let droppedResult = try importFile(dropped, into: store)
            let before = try store.stat()
            try store.pin(keptResult.root)
            try store.pin(keptResult.root)
            #expect(try store.pins() == [keptResult.root])

            let report = try store.gc()
            #expect(try readFile(keptResult.root, store) == kept)
            #expect(report.keptBlockCount == Int(keptResult.blockCount))
            #expect(report.removedBlockCount == before.blockCount - Int(keptResult.blockCount))
            #expect(report.removedBlockCount > 0)
            #expect(try store.stat().blockCount == Int(keptResult.blockCount))
            #expect(!store.has(droppedResult.root))
            #expect(try store.verify().isHealthy)

            // Unpinned, everything goes.
            #expect(try store.unpin(keptResult.root))
            #expect(try !store.unpin(keptResult.root))
            #expect(try store.gc().removedBlockCount == Int(keptResult.blockCount))
            #expect(try store.stat() == RepoStat())
        }
    }

    @Test func blocksSharedByTwoPinsStayWhenOneIsUnpinned() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let a = distinctBytes(48)
            let b = Array(a[..<24]) + [9, 9, 9, 9]
            let resultA = try importFile(a, into: store)
            let resultB = try importFile(b, into: store)
            try store.pin(resultA.root)
            try store.pin(resultB.root)
            try store.unpin(resultA.root)
            _ = try store.gc()
            #expect(try readFile(resultB.root, store) == b)
            #expect(!store.has(resultA.root))
        }
    }

    @Test func pinsPersistAndTheirFileIsCheckedWhenRead() throws {
        try withTemporaryDirectory { root in
            let result: ImportResult
            do {
                let store = try FileBlockStore(path: root)
                result = try importFile(distinctBytes(20), into: store)
                // A CIDv0 of the same node names the same pin.
                try store.pin(CID.v0(result.root.multihash))
            }
            let store = try FileBlockStore(path: root)
            #expect(try store.pins() == [result.root])
            #expect(filesBelow(root).filter { !$0.hasPrefix("blocks/") } == ["pins", "repo.lock", "version"])
            #expect(
                try String(contentsOfFile: root + "/pins", encoding: .utf8)
                    == "swift-dht pins 1\n\(result.root)\n")

            try overwriteFile(root + "/pins", with: Array("swift-dht pins 1\n\(result.root)\nnot-a-cid\n".utf8))
            #expect(throws: BlockStoreError.invalidPinFile(path: root + "/pins", line: 3)) { try store.pins() }
            #expect(throws: BlockStoreError.invalidPinFile(path: root + "/pins", line: 3)) { try store.gc() }
            try overwriteFile(root + "/pins", with: Array("pins v9\n".utf8))
            #expect(throws: BlockStoreError.invalidPinFile(path: root + "/pins", line: 1)) { try store.pins() }
            #expect(try store.stat().blockCount == Int(result.blockCount), "a damaged pin file deletes nothing")
        }
    }

    @Test func pinningADAGWithHolesFails() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let result = try importFile(distinctBytes(30), into: store)
            let rootNode = try PBNode(decoding: try #require(try store.get(result.root)))
            let leaf = try #require(rootNode.links.last?.hash)
            try store.delete(leaf)
            #expect(throws: BlockStoreError.incompleteDAG(root: result.root, missing: leaf)) {
                try store.pin(result.root)
            }
            #expect(try store.pins() == [])
            let absent = CID.dagPB(Multihash(hashing: [1]))
            #expect(throws: BlockStoreError.incompleteDAG(root: absent, missing: absent)) { try store.pin(absent) }
        }
    }

    @Test func gcRefusesToRunWhenAPinnedNodeIsMissingOrCorrupt() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let result = try importFile(distinctBytes(60), into: store)
            _ = try importFile([7, 7, 7, 7, 7], into: store)  // unpinned: would be collected
            try store.pin(result.root)
            let rootNode = try PBNode(decoding: try #require(try store.get(result.root)))
            let inner = try #require(rootNode.links.first?.hash)
            #expect(inner.codec == .dagPB)
            let innerPath = store.layout.location(of: inner.multihash).path
            let innerBytes = try #require(try store.get(inner))
            let before = try store.stat()

            try overwriteFile(innerPath, with: innerBytes + [0])
            #expect(throws: BlockStoreError.corruptBlock(inner, path: innerPath)) { try store.gc() }
            try store.delete(inner)
            #expect(throws: BlockStoreError.incompleteDAG(root: result.root, missing: inner)) { try store.gc() }
            #expect(try store.stat().blockCount == before.blockCount - 1, "nothing deleted")
        }
    }

    @Test func gcNeverDeletesWhatALiveSessionHolds() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let old = try importFile([1, 2, 3], into: store)  // unpinned and outside any session

            let session = try store.beginSession(policy: .batched(maxBlocks: 3, maxBytes: 1 << 20))
            var builder = BalancedDAGBuilder(profile: tinyProfile)
            try builder.append(distinctBytes(40), to: session)  // several batches flushed, DAG not finished
            // A fetch puts a block that is already stored: the session holds it now too.
            try session.put(try #require(try store.getVerified(old.root)))
            let midway = try store.gc()
            #expect(midway.removedBlockCount == 0)
            #expect(store.has(old.root))

            let result = try builder.finish(to: session)
            try session.flush()
            #expect(try store.gc().removedBlockCount == 0)
            #expect(try readFile(result.root, store) == distinctBytes(40))
            try store.pin(result.root)
            try session.close()

            // Closed: the pin keeps the file; the old block goes.
            let report = try store.gc()
            #expect(report.removedBlockCount == 1)
            #expect(!store.has(old.root))
            #expect(try readFile(result.root, store) == distinctBytes(40))
        }
    }

    @Test func gcRemovesTemporaryFilesOfCrashedWritesOnly() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let staged = try store.beginSession(policy: .staged)
            let block = try Block(codec: .raw, hashing: Array("staged".utf8))
            try staged.put(block)
            // What a crash between write and rename leaves behind.
            let orphan = try Block(codec: .raw, hashing: Array("orphan".utf8))
            let location = store.layout.location(of: orphan.cid.multihash)
            try FileManager.default.createDirectory(atPath: location.directory, withIntermediateDirectories: true)
            try overwriteFile(location.directory + "/.\(location.key).999-0.tmp", with: Array("orph".utf8))
            try overwriteFile(root + "/pins.999.tmp", with: Array("swift-dht pins 1\n".utf8))
            #expect(try store.stat().temporaryFileCount == 2)

            let report = try store.gc()
            #expect(report.removedTemporaryFileCount == 2)
            #expect(!FileManager.default.fileExists(atPath: root + "/pins.999.tmp"))
            #expect(try store.stat().temporaryFileCount == 1)
            try staged.close()
            #expect(try store.get(block.cid) == block.bytes)
            #expect(!store.has(orphan.cid))
        }
    }

    @Test func gcRunningDuringImportsNeverBreaksAPinnedFile() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            // File i starts i chunks into the same pattern, so each import re-puts leaves of the previous one,
            // which (odd files are never pinned) GC may be deleting at that moment.
            let files = (0..<16).map { index in (0..<120).map { UInt8(truncatingIfNeeded: $0 + index * 4) } }
            let finished = Atomic<Bool>(false)
            let roots = Mutex<[Int: CID]>([:])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                do {
                    if worker == 0 {
                        defer { finished.store(true, ordering: .releasing) }
                        for (index, file) in files.enumerated() {
                            let session = try store.beginSession(policy: .batched(maxBlocks: 2, maxBytes: 1 << 20))
                            let result = try BalancedDAGBuilder.importBytes(file, profile: tinyProfile, to: session)
                            try session.flush()
                            if index % 2 == 0 {
                                try store.pin(result.root)
                                roots.withLock { $0[index] = result.root }
                            }
                            try session.close()
                        }
                    } else {
                        while !finished.load(ordering: .acquiring) { _ = try store.gc() }
                    }
                } catch {
                    failures.withLock { $0.append("worker \(worker): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            _ = try store.gc()
            for (index, cid) in roots.withLock({ $0 }) {
                #expect(try readFile(cid, store) == files[index], "file \(index)")
            }
            #expect(try store.verify().isHealthy)
        }
    }
}
