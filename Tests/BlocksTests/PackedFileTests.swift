import Foundation
import Testing

@testable import Blocks

/// A file's leaves kept in one packed file of the repository (`FileBlockStore+PackedFiles.swift`).
@Suite struct PackedFileTests {
    private static let profile = try! ImportProfile(chunkSize: 1024, maxLinks: 4)

    private static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// Packs `bytes` into `store` as an importer does: the bytes written out of order, the leaves as references, the
    /// nodes through `session`; returns the root.
    private static func pack(_ bytes: [UInt8], into store: FileBlockStore, session: WriteSession) throws -> CID {
        let writer = try store.beginPackedFile()
        // The second half first: writes go by offset.
        let half = bytes.count / 2
        try bytes.withUnsafeBytes { raw in
            try writer.write(UnsafeRawBufferPointer(rebasing: raw[half...]), at: UInt64(half))
            try writer.write(UnsafeRawBufferPointer(rebasing: raw[..<half]), at: 0)
        }
        var builder = BalancedDAGBuilder(profile: profile)
        var references: [FileReference] = []
        for offset in stride(from: 0, to: bytes.count, by: profile.chunkSize) {
            let chunk = Array(bytes[offset..<min(offset + profile.chunkSize, bytes.count)])
            let cid = CID.raw(Multihash(hashing: chunk))
            references.append(FileReference(cid: cid, offset: UInt64(offset), length: chunk.count))
            try builder.appendHashedLeaf(cid, size: chunk.count) { try session.put($0) }
        }
        let root = try builder.finish { try session.put($0) }.root
        for reference in references { session.hold(reference.cid) }
        try store.commitPackedFile(writer, name: root.v1.description, references: references)
        try session.flush()
        return root
    }

    @Test func hashedLeavesBuildTheSameDAGAsStreamedBytes() throws {
        for count in [1, 1023, 1024, 1025, 4 * 1024, 4 * 1024 + 1, 17 * 1024 + 5, 64 * 1024] {
            let bytes = Self.bytes(count, seed: UInt64(count))
            let streamed = try BalancedDAGBuilder.importBytes(bytes, profile: Self.profile, to: MemoryBlockStore())
            var builder = BalancedDAGBuilder(profile: Self.profile)
            var nodes: [Block] = []
            for offset in stride(from: 0, to: count, by: 1024) {
                let chunk = Array(bytes[offset..<min(offset + 1024, count)])
                builder.appendHashedLeaf(CID.raw(Multihash(hashing: chunk)), size: chunk.count) { nodes.append($0) }
            }
            let hashed = builder.finish { nodes.append($0) }
            #expect(hashed == streamed, "\(count) bytes")
            #expect(nodes.allSatisfy { $0.cid.codec == .dagPB } || count <= 1024, "only nodes are emitted")
        }
    }

    @Test func aPackedFileServesItsLeavesAndSurvivesAMoveOfTheRepository() throws {
        try withTemporaryDirectory { root in
            let bytes = Self.bytes(10 * 1024 + 300)
            let rootCID: CID
            do {
                let store = try FileBlockStore(path: root + "/repo")
                let session = try store.beginSession()
                rootCID = try Self.pack(bytes, into: store, session: session)
                try store.pin(rootCID)
                try session.close()
                #expect(try store.missingBlock(under: rootCID) == nil)
                let stat = try store.stat()
                #expect(stat.referencedBlockCount == 0, "a packed file is the repository's own")
                #expect(stat.blockCount == 11 + 4, "11 leaves in the packed file, 4 nodes as block files")
                #expect(try store.verify().isHealthy)
                let files = try FileManager.default.contentsOfDirectory(atPath: root + "/repo/files").sorted()
                #expect(files == [rootCID.v1.description + ".pack", rootCID.v1.description + ".refs"])
                let index = try String(
                    contentsOfFile: root + "/repo/files/\(rootCID.v1.description).refs",
                    encoding: .utf8
                )
                #expect(!index.contains(root), "the index names its packed file relative to files/")
            }
            try FileManager.default.moveItem(atPath: root + "/repo", toPath: root + "/moved")
            let moved = try FileBlockStore(path: root + "/moved", mode: .readOnly)
            var reader = try DAGReader(root: rootCID, store: moved)
            #expect(try reader.readAll() == bytes)
        }
    }

    @Test func aTamperedPackedFileFailsVerifiedReadsButNotUnverifiedOnes() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root + "/repo")
            let session = try store.beginSession()
            let bytes = Self.bytes(3 * 1024)
            let rootCID = try Self.pack(bytes, into: store, session: session)
            try session.close()
            let first = CID.raw(Multihash(hashing: Array(bytes[..<1024])))
            let path = root + "/repo/files/\(rootCID.v1.description).pack"
            // Same size and modification time, one byte changed: only hashing can tell.
            let stamp = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
            var changed = bytes
            changed[5] ^= 1
            try overwriteFile(path, with: changed)
            try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path)
            #expect(try store.get(first) == nil, "a verified read hashes")
            #expect(
                try store.unverifiedBytes(first) == Array(changed[..<1024]),
                "as a block file's is, it is not hashed"
            )
            #expect(!(try store.verify().isHealthy))
        }
    }

    @Test func gcRemovesAnUnpinnedPackedFileAndKeepsAPinnedOne() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root + "/repo")
            let session = try store.beginSession()
            let kept = try Self.pack(Self.bytes(5000, seed: 2), into: store, session: session)
            let dropped = try Self.pack(Self.bytes(6000, seed: 3), into: store, session: session)
            let report = try store.gc()
            #expect(report.removedBlockCount == 0, "the session holds both")
            try store.pin(kept)
            try session.close()
            let after = try store.gc()
            #expect(after.removedBlockCount > 0 && after.removedByteCount >= 6000)
            let files = try FileManager.default.contentsOfDirectory(atPath: root + "/repo/files").sorted()
            #expect(files == [kept.v1.description + ".pack", kept.v1.description + ".refs"])
            #expect(try store.missingBlock(under: kept) == nil)
            #expect(try store.missingBlock(under: dropped) != nil)
        }
    }

    @Test func gcLeavesAPackedFileBeingWrittenAndRemovesOrphans() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root + "/repo")
            let writer = try store.beginPackedFile()
            try [UInt8](repeating: 7, count: 100).withUnsafeBytes { try writer.write($0, at: 0) }
            // A packed file renamed but never indexed (a crash in between), and a dead writer's temporary file.
            try overwriteFile(root + "/repo/files/orphan.pack", with: [1, 2, 3])
            try overwriteFile(root + "/repo/files/.pack.1-1.tmp", with: [1])
            let report = try store.gc()
            #expect(report.removedTemporaryFileCount == 1)
            #expect(report.removedByteCount == 3)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: root + "/repo/files") == [
                    URL(fileURLWithPath: writer.temporary).lastPathComponent
                ]
            )
            writer.discard()
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/repo/files").isEmpty)
        }
    }
}
