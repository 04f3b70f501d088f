import DHTCrypto
import Testing

@testable import Blocks

/// Every vector in `Tests/Fixtures/vectors/cids.json`, imported through the streaming builder and read back through the
/// DAG reader.
@Suite struct ImportVectorTests {
    @Test func vectorsAreLoaded() throws {
        let vectors = try CIDVector.load()
        #expect(vectors.count >= 11)
        #expect(Set(vectors.map(\.profile)) == ["unixfs-v0-2015+cidv1", "unixfs-v1-2025"])
    }

    @Test(arguments: CIDVector.all)
    func vectorRootAndReadBack(_ vector: CIDVector) throws {
        let profile = try #require(ImportProfile(named: vector.profile))
        let store = MemoryBlockStore()
        var builder = BalancedDAGBuilder(profile: profile)
        var contentHasher = SHA256Hasher()
        // Feed each generated piece in two uneven parts, so chunk boundaries fall inside appends.
        let source = vector.source
        for (offset, count) in source.pieces() {
            let piece = source.bytes(at: offset, count: count)
            contentHasher.update(piece)
            let split = min(piece.count, 99_991)
            try builder.append(piece[..<split], to: store)
            try builder.append(piece[split...], to: store)
            // Streaming: only a partial chunk and one pending node per level are held.
            #expect(builder.pendingChunkByteCount < profile.chunkSize)
            #expect(builder.pendingLinkCount <= profile.maxLinks * builder.levelCount)
        }
        let result = try builder.finish(to: store)
        #expect(result.root.description == vector.cid)
        #expect(result.rootTsize == vector.root_tsize)
        #expect(result.fileSize == UInt64(vector.size))
        #expect(result.leafCount == UInt64(max(1, (vector.size + profile.chunkSize - 1) / profile.chunkSize)))
        #expect(try CID(parsing: vector.cid) == result.root)

        // The blocks in the store add up to the root's Tsize: the builder emitted every block once.
        #expect(UInt64(store.byteCount) == vector.root_tsize)

        var reader = try DAGReader(root: result.root, store: store)
        #expect(reader.fileSize == UInt64(vector.size))
        var readHasher = SHA256Hasher()
        var readCount = 0
        while let piece = try reader.next() {
            readCount += piece.count
            readHasher.update(piece)
        }
        #expect(readCount == vector.size)
        let readDigest = readHasher.finalize()
        let contentDigest = contentHasher.finalize()
        #expect(readDigest == contentDigest)
    }

    @Test func smallVectorBytesReadBackExactly() throws {
        for vector in CIDVector.all where vector.size <= 300_000 {
            let bytes = vector.source.all()
            let store = MemoryBlockStore()
            let profile = try #require(ImportProfile(named: vector.profile))
            let result = try BalancedDAGBuilder.importBytes(bytes, profile: profile, to: store)
            #expect(result.root.description == vector.cid)
            var reader = try DAGReader(root: result.root, store: store)
            #expect(try reader.readAll() == bytes)
        }
    }

    @Test func helloWorldLiteralsAreTheSpecBytes() {
        let withNewline = ContentSource(generator: "literal", content: "hello world\\n", size: 12)
        #expect(withNewline.all() == Array("hello world\n".utf8))
        #expect(ContentSource(generator: "literal", content: "empty", size: 0).all() == [])
    }
}
