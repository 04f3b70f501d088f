import Foundation
import Testing

@testable import Blocks

/// Blocks kept as ranges of a file outside the repository (`FileBlockStore+References.swift`).
@Suite struct FileReferenceTests {
    /// A file of `count` bytes at `path`, its raw 1 KiB leaves and a dag-pb leaf (UnixFS framing) over its last KiB,
    /// as references into it.
    private func makeFile(_ path: String, count: Int = 4096) throws -> (bytes: [UInt8], references: [FileReference]) {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var references: [FileReference] = []
        for offset in stride(from: 0, to: count - 1024, by: 1024) {
            let leaf = try Block(codec: .raw, hashing: Array(bytes[offset..<(offset + 1024)]))
            references.append(try #require(FileReference(block: leaf, atFileOffset: UInt64(offset))))
        }
        let last = Array(bytes[(count - 1024)...])
        let unixfs = UnixFSData(type: .file, data: last, filesize: UInt64(last.count)).encoded()
        let leaf = try Block(codec: .dagPB, hashing: PBNode(data: unixfs).encoded())
        let reference = try #require(FileReference(block: leaf, atFileOffset: UInt64(count - 1024)))
        #expect(reference.length == 1024 && !reference.prefix.isEmpty && !reference.suffix.isEmpty)
        references.append(reference)
        return (bytes, references)
    }

    @Test func referencedBlocksReadBackVerifiedAndSurviveReopening() throws {
        try withTemporaryDirectory { root in
            let file = root + "/out.bin"
            let (bytes, references) = try makeFile(file)
            do {
                let store = try FileBlockStore(path: root + "/repo")
                try store.addReferences(references, inFile: file, name: "root")
                for reference in references {
                    #expect(store.has(reference.cid))
                    let read = try #require(try store.get(reference.cid))
                    #expect(reference.cid.multihash.matches(read))
                }
                let stat = try store.stat()
                #expect(stat.blockCount == 0 && stat.referencedBlockCount == references.count)
                #expect(try store.verify().isHealthy)
                #expect(filesBelow(root + "/repo/blocks").isEmpty, "no block file was written")
            }
            let reopened = try FileBlockStore(path: root + "/repo", mode: .readOnly)
            #expect(reopened.referencedBlockCount == references.count)
            #expect(try reopened.get(references[0].cid) == Array(bytes[0..<1024]))
        }
    }

    @Test func aChangedOrDeletedFileReadsAsMissingAndVerifyListsIt() throws {
        try withTemporaryDirectory { root in
            let file = root + "/out.bin"
            let (original, references) = try makeFile(file)
            let store = try FileBlockStore(path: root + "/repo")
            try store.addReferences(references, inFile: file, name: "root")
            var bytes = original
            bytes[10] ^= 0xFF
            try overwriteFile(file, with: bytes)
            #expect(try store.get(references[0].cid) == nil)
            #expect(try store.unverifiedBytes(references[0].cid) == nil)
            #expect(try store.get(references[1].cid) != nil)
            let report = try store.verify()
            #expect(report.corrupt.map(\.multihash) == [references[0].cid.multihash])
            #expect(report.corrupt.first?.problem == .referencedFileChanged)

            // The block arrives again from elsewhere: its block file is what is read from then on.
            try store.put(Block(codec: .raw, hashing: Array(original[0..<1024])))
            #expect(try store.get(references[0].cid) == Array(original[0..<1024]))
            try FileManager.default.removeItem(atPath: file)
            #expect(!store.has(references[1].cid))
            #expect(try store.get(references[1].cid) == nil)
        }
    }

    @Test func gcDropsUnpinnedReferencesAndKeepsPinnedOnes() throws {
        try withTemporaryDirectory { root in
            let file = root + "/out.bin"
            let (_, references) = try makeFile(file)
            let store = try FileBlockStore(path: root + "/repo")
            // A root over the first two leaves, stored as a block file; the others are referenced and unpinned.
            let links = references.prefix(2).map { PBLink(hash: $0.cid, name: "", tsize: UInt64($0.blockByteCount)) }
            let unixfs = UnixFSData(type: .file, filesize: 2048, blocksizes: [1024, 1024]).encoded()
            let rootBlock = try Block(codec: .dagPB, hashing: PBNode(links: links, data: unixfs).encoded())
            try store.put(rootBlock)
            try store.addReferences(references, inFile: file, name: "root")
            try store.pin(rootBlock.cid)
            let report = try store.gc()
            #expect(report.removedBlockCount == references.count - 2)
            #expect(store.referencedBlockCount == 2)
            #expect(store.has(references[0].cid) && !store.has(references[2].cid))
            #expect(FileManager.default.fileExists(atPath: file), "the referenced file is the user's")

            // Deleting a referenced block drops its reference; unpinned, the rest goes and the index with it.
            #expect(try store.delete(references[0].cid))
            #expect(!store.has(references[0].cid))
            #expect(try store.unpin(rootBlock.cid))
            _ = try store.gc()
            #expect(store.referencedBlockCount == 0)
            #expect(filesBelow(root + "/repo/files").isEmpty)
        }
    }

    @Test func fileLeafLayoutFindsTheFileBytesOfLeavesOnly() throws {
        let raw = try Block(codec: .raw, hashing: [1, 2, 3])
        #expect(FileLeafLayout.fileBytes(in: raw) == 0..<3)
        let unixfs = UnixFSData(type: .file, data: [9, 8, 7, 6], filesize: 4).encoded()
        let leaf = try Block(codec: .dagPB, hashing: PBNode(data: unixfs).encoded())
        let range = try #require(FileLeafLayout.fileBytes(in: leaf))
        #expect(Array(leaf.bytes[range]) == [9, 8, 7, 6])
        let inner = try Block(
            codec: .dagPB,
            hashing: PBNode(links: [PBLink(hash: raw.cid, name: "", tsize: 3)], data: unixfs).encoded())
        #expect(FileLeafLayout.fileBytes(in: inner) == nil)
    }
}
