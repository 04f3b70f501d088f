import DHTCrypto
import Testing

@testable import Blocks

@Suite struct BalancedDAGBuilderTests {
    /// The tree under `cid`: `L` for a raw leaf, `[…]` for a node.
    private func shape(_ cid: CID, in store: MemoryBlockStore) throws -> String {
        let bytes = try #require(store.get(cid))
        if cid.codec == .raw { return "L" }
        let node = try PBNode(decoding: bytes)
        return "[" + (try node.links.map { try shape($0.hash, in: store) }).joined(separator: " ") + "]"
    }

    @Test(arguments: [
        (0, "L"), (1, "L"), (4, "L"), (5, "[L L]"), (12, "[L L L]"), (13, "[[L L L] [L]]"),
        (36, "[[L L L] [L L L] [L L L]]"), (37, "[[[L L L] [L L L] [L L L]] [[L]]]"),
        (40, "[[[L L L] [L L L] [L L L]] [[L]]]"), (41, "[[[L L L] [L L L] [L L L]] [[L L]]]"),
        (52, "[[[L L L] [L L L] [L L L]] [[L L L] [L]]]"),
    ])
    func buildsTheBalancedLayout(byteCount: Int, expected: String) throws {
        let (store, result) = try importIntoMemory(distinctBytes(byteCount))
        #expect(try shape(result.root, in: store) == expected)
        #expect(result.fileSize == UInt64(byteCount))
        #expect(result.rootTsize == UInt64(store.byteCount))
    }

    @Test func singleChunkRootIsTheRawLeaf() throws {
        let bytes = distinctBytes(4)
        let (_, result) = try importIntoMemory(bytes)
        #expect(result.root == CID.raw(Multihash(hashing: bytes)))
        #expect(result.rootTsize == 4)
        let (_, empty) = try importIntoMemory([])
        #expect(empty.root == CID.raw(Multihash(hashing: [UInt8]())))
        #expect(empty.blockCount == 1)
    }

    @Test func internalNodesCarryTsizeAndBlocksizes() throws {
        let (store, result) = try importIntoMemory(distinctBytes(13))
        let root = try PBNode(decoding: try #require(store.get(result.root)))
        let unixfs = try UnixFSData(decoding: try #require(root.data))
        #expect(unixfs.type == .file)
        #expect(unixfs.filesize == 13)
        #expect(unixfs.blocksizes == [12, 1])
        #expect(unixfs.data == nil)
        for link in root.links {
            let child = try #require(store.get(link.hash))
            let grandchildren = try PBNode(decoding: child).links
            #expect(link.tsize == UInt64(child.count) + grandchildren.reduce(0) { $0 + ($1.tsize ?? 0) })
            #expect(link.name == "")
        }
    }

    @Test func emitsChildrenBeforeParentsAndEveryBlockOnce() throws {
        var builder = BalancedDAGBuilder(profile: tinyProfile)
        var emitted: [Block] = []
        builder.append(distinctBytes(150)) { (block: Block) in emitted.append(block) }
        let result = builder.finish { (block: Block) in emitted.append(block) }
        #expect(UInt64(emitted.count) == result.blockCount)
        #expect(Set(emitted.map(\.cid)).count == emitted.count)
        #expect(emitted.last?.cid == result.root)
        var seen: Set<CID> = []
        for block in emitted {
            if block.cid.codec == .dagPB {
                for link in try PBNode(decoding: block.bytes).links { #expect(seen.contains(link.hash)) }
            }
            #expect(block.cid.multihash.matches(block.bytes))
            seen.insert(block.cid)
        }
    }

    @Test func pieceSizeDoesNotChangeTheResult() throws {
        let bytes = distinctBytes(200)
        let (_, whole) = try importIntoMemory(bytes)
        for piece in [1, 3, 4, 5, 64] {
            var builder = BalancedDAGBuilder(profile: tinyProfile)
            let store = MemoryBlockStore()
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + piece)
                builder.append(bytes[offset..<end]) { (block: Block) in store.put(block) }
                offset = end
            }
            #expect(builder.finish { (block: Block) in store.put(block) } == whole)
        }
    }

    @Test func holdsOnlyThePartialChunkAndOnePathOfNodes() throws {
        var builder = BalancedDAGBuilder(profile: tinyProfile)
        for byte in distinctBytes(4 * 3 * 3 * 3 * 3 + 7) {
            builder.append([byte]) { (_: Block) in }
            #expect(builder.pendingChunkByteCount < tinyProfile.chunkSize)
            #expect(builder.pendingLinkCount <= tinyProfile.maxLinks * builder.levelCount)
        }
        #expect(builder.levelCount <= 5)
    }

    @Test func isReusableAfterFinish() throws {
        var builder = BalancedDAGBuilder(profile: tinyProfile)
        builder.append(distinctBytes(30)) { (_: Block) in }
        let first = builder.finish { (_: Block) in }
        #expect(builder.fileSize == 0)
        builder.append(distinctBytes(30)) { (_: Block) in }
        #expect(builder.finish { (_: Block) in } == first)
    }

    @Test func chunkSizeIsConfigurableUpToOneMebibyte() throws {
        let bytes = distinctBytes(3 * 1024 * 1024 + 5)
        let profile = try ImportProfile.unixfsV0_2015_cidv1.withChunkSize(1024 * 1024)
        let (store, result) = try importIntoMemory(bytes, profile: profile)
        #expect(result.leafCount == 4)
        let root = try PBNode(decoding: try #require(store.get(result.root)))
        #expect(try UnixFSData(decoding: try #require(root.data)).blocksizes == [1_048_576, 1_048_576, 1_048_576, 5])
    }

    @Test func profilesAreValidated() throws {
        #expect(ImportProfile(named: "unixfs-v0-2015+cidv1") == .unixfsV0_2015_cidv1)
        #expect(ImportProfile(named: "unixfs-v1-2025")?.chunkSize == 1_048_576)
        #expect(ImportProfile(named: "unixfs-v1-2025")?.maxLinks == 1024)
        #expect(ImportProfile.unixfsV0_2015_cidv1.chunkSize == 262_144)
        #expect(ImportProfile.unixfsV0_2015_cidv1.maxLinks == 174)
        #expect(ImportProfile(named: "nope") == nil)
        #expect(throws: ImportProfileError.chunkSize(0)) { try ImportProfile(chunkSize: 0, maxLinks: 174) }
        #expect(throws: ImportProfileError.chunkSize(1_048_577)) {
            try ImportProfile.unixfsV1_2025.withChunkSize(1_048_577)
        }
        #expect(throws: ImportProfileError.maxLinks(1)) { try ImportProfile(chunkSize: 4, maxLinks: 1) }
    }
}
