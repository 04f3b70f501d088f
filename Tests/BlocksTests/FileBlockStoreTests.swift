import Foundation
import Testing

@testable import Blocks

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileBlockStoreTests {
    private func block(_ text: String) throws -> Block { try Block(codec: .raw, hashing: Array(text.utf8)) }

    @Test func storesBlocksInFlatfsShards() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root + "/repo")
            let hello = try block("hello world")
            try store.put(hello)
            #expect(try store.get(hello.cid) == hello.bytes)
            #expect(store.has(hello.cid))
            #expect(try store.get(CID.dagPB(hello.cid.multihash)) == hello.bytes, "keyed by multihash")
            // kubo's flatfs key (upper-case base32 of the multihash), in the next-to-last/2 shard.
            let name = RepoLayout.key(for: hello.cid.multihash)
            #expect(name == "CIQLSTJHXGJU2PQIUUXFFV62PWV7VREE57RXUU4A52IIR55M4LX432I")
            #expect(name.hasPrefix("CIQ") && name.count == 55)
            let shard = String(name.dropLast().suffix(2))
            #expect(RepoLayout.shard(ofKey: name) == shard)
            #expect(filesBelow(root + "/repo") == ["blocks/\(shard)/\(name).data", "repo.lock", "version"])
            #expect(RepoLayout.multihash(fromFileName: name + ".data") == hello.cid.multihash)
            #expect(RepoLayout.multihash(fromFileName: name + ".tmp") == nil)
            #expect(RepoLayout.multihash(fromFileName: "CIQ.data") == nil)
            #expect(RepoLayout.multihash(fromFileName: name.lowercased() + ".data") == nil)
            try store.put(hello)
            #expect(try store.stat() == RepoStat(blockCount: 1, byteCount: 11, temporaryFileCount: 0))
            #expect(try store.delete(hello.cid))
            #expect(try !store.delete(hello.cid))
            #expect(try store.get(hello.cid) == nil)
        }
    }

    @Test func blocksSurviveReopening() throws {
        try withTemporaryDirectory { root in
            let bytes = distinctBytes(200)
            let result: ImportResult
            do {
                let store = try FileBlockStore(path: root)
                let session = try store.beginSession()
                result = try BalancedDAGBuilder.importBytes(bytes, profile: tinyProfile, to: session)
                try session.close()
            }
            let store = try FileBlockStore(path: root, mode: .readOnly)
            var reader = try DAGReader(root: result.root, store: store)
            #expect(try reader.readAll() == bytes)
            #expect(try store.stat().blockCount == Int(result.blockCount))
            #expect(try store.verify() == RepoVerifyReport(checkedCount: Int(result.blockCount), corrupt: []))
            #expect(throws: BlockStoreError.readOnly(path: root)) { try store.put(try block("x")) }
        }
    }

    @Test func corruptFilesAreErrorsNamingTheCID() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let (memory, result) = try importIntoMemory(distinctBytes(40))
            for multihash in memory.multihashes {
                try store.put(try #require(try memory.getVerified(CID.raw(multihash))))
            }
            let rootBytes = try #require(memory.get(result.root))
            let leaf = try #require(try PBNode(decoding: rootBytes).links.first?.hash)
            let path = store.layout.location(of: leaf.multihash).path
            var bytes = try #require(memory.get(leaf))
            bytes[0] ^= 1
            try overwriteFile(path, with: bytes)

            #expect(throws: BlockStoreError.corruptBlock(leaf, path: path)) { try store.get(leaf) }
            var reader = try DAGReader(root: result.root, store: store)
            #expect(throws: DAGReadError.store(leaf, .corruptBlock(leaf, path: path))) { try reader.readAll() }
            let report = try store.verify()
            #expect(report.checkedCount == memory.count)
            #expect(report.corrupt == [.init(path: path, multihash: leaf.multihash, problem: .hashMismatch(actual: Multihash(hashing: bytes)))])
            #expect(String(describing: BlockStoreError.corruptBlock(leaf, path: path)).contains(leaf.description))

            // A file longer than any block is corrupt without being hashed.
            try overwriteFile(path, with: [UInt8](repeating: 0, count: Block.maxByteCount + 1))
            #expect(throws: BlockStoreError.corruptBlock(leaf, path: path)) { try store.get(leaf) }
            #expect(try store.verify().corrupt.map(\.problem) == [.tooLarge(byteCount: Block.maxByteCount + 1)])
        }
    }

    @Test func aSecondWriterIsRefusedNamingThePID() throws {
        try withTemporaryDirectory { root in
            var first: FileBlockStore? = try FileBlockStore(path: root)
            #expect(throws: BlockStoreError.locked(path: root, holderPID: getpid())) {
                try FileBlockStore(path: root)
            }
            #expect(BlockStoreError.locked(path: root, holderPID: 42).description.contains("process 42"))
            // Readers take no lock.
            let reader = try FileBlockStore(path: root, mode: .readOnly)
            try first?.put(try block("a"))
            #expect(reader.has(try block("a").cid))
            first = nil
            let second = try FileBlockStore(path: root)
            #expect(second.has(try block("a").cid))
        }
    }

    @Test func versionsAndNonRepositoriesAreRefused() throws {
        try withTemporaryDirectory { root in
            _ = try FileBlockStore(path: root + "/repo")
            #expect(try String(contentsOfFile: root + "/repo/version", encoding: .utf8) == "1\n")
            try overwriteFile(root + "/repo/version", with: Array("7\n".utf8))
            #expect(throws: BlockStoreError.unsupportedRepoVersion(path: root + "/repo", found: "7")) {
                try FileBlockStore(path: root + "/repo")
            }
            #expect(throws: BlockStoreError.unsupportedRepoVersion(path: root + "/repo", found: "7")) {
                try FileBlockStore(path: root + "/repo", mode: .readOnly)
            }

            try FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: false)
            try overwriteFile(root + "/other/notes.txt", with: [1])
            #expect(throws: BlockStoreError.notARepository(path: root + "/other")) {
                try FileBlockStore(path: root + "/other")
            }
            #expect(throws: BlockStoreError.notARepository(path: root + "/missing")) {
                try FileBlockStore(path: root + "/missing", create: false)
            }
        }
    }

    @Test(arguments: [EIO, ENOSPC])
    func writeErrorsLeaveNoPartialBlock(code: Int32) throws {
        try withTemporaryDirectory { root in
            let failing = try block("this write fails")
            let faults = IOFaults(writeError: { path in path.contains(RepoLayout.key(for: failing.cid.multihash)) ? code : nil })
            let store = try FileBlockStore(path: root, mode: .readWrite, create: true, faults: faults)
            let good = try block("this one is fine")
            let session = try store.beginSession()
            try session.put(good)
            #expect {
                try session.put(failing)
            } throws: { error in
                switch error as? BlockStoreError {
                case .diskFull(let path)?: code == ENOSPC && path.hasSuffix(".tmp")
                case .fileSystem("write", _, let errno)?: errno == code
                default: false
                }
            }
            try session.close()
            #expect(!store.has(failing.cid))
            #expect(try store.get(good.cid) == good.bytes)
            #expect(try store.stat() == RepoStat(blockCount: 1, byteCount: UInt64(good.bytes.count), temporaryFileCount: 0))
            // The single-block put fails the same way and leaves nothing.
            #expect(throws: (any Error).self) { try store.put(failing) }
            #expect(try store.stat().temporaryFileCount == 0)
        }
    }

    /// With or without early writeback (a fetch's write lanes go without), the flush syncs every file before it
    /// renames one.
    @Test(arguments: [true, false])
    func fsyncErrorsKeepBlocksOutOfTheirNames(startsWriteback: Bool) throws {
        try withTemporaryDirectory { root in
            let faults = IOFaults(fsyncError: { $0.hasSuffix(".tmp") ? EIO : nil })
            // Creating the repo fsyncs version.PID.tmp too, so open it first without faults.
            _ = try FileBlockStore(path: root)
            let store = try FileBlockStore(path: root, mode: .readWrite, create: false, faults: faults)
            let session = try store.beginSession(policy: .staged, startsWriteback: startsWriteback)
            #expect(session.startsWriteback == startsWriteback)
            let a = try block("a")
            try session.put(a)
            #expect {
                try session.close()
            } throws: { error in
                guard case .fileSystem("fsync", _, EIO)? = error as? BlockStoreError else { return false }
                return true
            }
            #expect(!store.has(a.cid))
            #expect(try store.stat() == RepoStat())
        }
    }

    @Test func stagedSessionsShowNothingUntilFlushedAndDiscardTakesAllBack() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let staged = try store.beginSession(policy: .staged)
            let blocks = try (0..<10).map { try block("block \($0)") }
            for block in blocks { try staged.put(block) }
            #expect(blocks.allSatisfy { !store.has($0.cid) })
            #expect(try store.stat().temporaryFileCount == 10)
            staged.discard()
            #expect(try store.stat() == RepoStat())
            #expect(throws: BlockStoreError.sessionClosed) { try staged.put(blocks[0]) }

            let batched = try store.beginSession(policy: .batched(maxBlocks: 4, maxBytes: 1 << 20))
            for block in blocks { try batched.put(block) }
            // Two full batches of four are flushed; two blocks wait.
            #expect(try store.stat().blockCount == 8)
            #expect(try store.stat().temporaryFileCount == 2)
            try batched.flush()
            #expect(try store.stat().blockCount == 10)
            try batched.close()
            try batched.close()
            #expect(batched.putCount == 10)
        }
    }

    @Test func aFullFilesystemGivesDiskFull() throws {
        try withTemporaryDirectory { root in
            let mountPoint = root + "/small"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
            #if os(Linux)
            let mounted = mount("tmpfs", mountPoint, "tmpfs", 0, "size=256k") == 0
            #else
            let mounted = false
            #endif
            guard mounted else {
                print("skipping: cannot mount a tmpfs here (errno \(errno)); the injected ENOSPC test covers this")
                return
            }
            #if os(Linux)
            defer { umount(mountPoint) }
            #endif
            let store = try FileBlockStore(path: mountPoint + "/repo")
            let session = try store.beginSession(policy: .batched(maxBlocks: 2, maxBytes: 1 << 30))
            var stored: [Block] = []
            var failure: BlockStoreError?
            for index in 0..<64 {
                let block = try Block(codec: .raw, hashing: [UInt8](repeating: UInt8(index), count: 16 * 1024))
                do throws(BlockStoreError) {
                    try session.put(block)
                    stored.append(block)
                } catch {
                    failure = error
                    break
                }
            }
            session.discard()
            guard case .diskFull? = failure else {
                Issue.record("expected diskFull, got \(String(describing: failure))")
                return
            }
            // Every block file there is whole; no temporary file is left.
            let report = try store.verify()
            #expect(report.isHealthy)
            #expect(try store.stat().temporaryFileCount == 0)
            #expect(report.checkedCount <= stored.count)
        }
    }
}
