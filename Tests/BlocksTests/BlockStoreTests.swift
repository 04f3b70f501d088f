import Testing

@testable import Blocks

@Suite struct BlockStoreTests {
    @Test func storesVerifiedBlocks() throws {
        let store = MemoryBlockStore()
        let bytes = Array("hello world".utf8)
        let cid = try CID(parsing: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")
        try store.put(bytes, as: cid)
        #expect(store.get(cid) == bytes)
        #expect(store.has(cid))
        #expect(store.count == 1)
        #expect(store.byteCount == 11)
        try store.put(bytes, as: cid)
        #expect(store.count == 1)
        #expect(try store.getVerified(cid)?.bytes == bytes)
        #expect(store.delete(cid))
        #expect(!store.delete(cid))
        #expect(store.get(cid) == nil)
        #expect(try store.getVerified(cid) == nil)
        #expect(store.byteCount == 0)
    }

    @Test func putRejectsBytesThatDoNotMatchTheCID() throws {
        let store = MemoryBlockStore()
        let cid = try CID(codec: .raw, hashing: Array("hello world".utf8))
        let wrong = Array("hello world\n".utf8)
        #expect(throws: BlockStoreError.invalidBlock(.hashMismatch(cid: cid, actual: Multihash(hashing: wrong)))) {
            try store.put(wrong, as: cid)
        }
        #expect(store.count == 0)
        #expect(!store.has(cid))
    }

    @Test func blocksAreCheckedOnConstruction() throws {
        let cid = try CID(codec: .raw, hashing: [UInt8]())
        #expect(throws: BlockError.hashMismatch(cid: cid, actual: Multihash(hashing: [1]))) {
            try Block(verifying: [1], as: cid)
        }
        let big = [UInt8](repeating: 0, count: Block.maxByteCount + 1)
        #expect(throws: BlockError.tooLarge(cid: cid, byteCount: big.count)) { try Block(verifying: big, as: cid) }
        #expect(throws: BlockError.unsupportedCodec(.sha2_256)) { try Block(codec: .sha2_256, hashing: [1]) }
        let block = try Block(codec: .dagPB, hashing: PBNode().encoded())
        #expect(block.cid.description == "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
    }

    @Test func cidv0AndCIDv1NameTheSameBlock() throws {
        let store = MemoryBlockStore()
        let block = try Block(codec: .dagPB, hashing: PBNode().encoded())
        store.put(block)
        let v0 = try CID(parsing: "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n")
        #expect(store.has(v0))
        #expect(try store.getVerified(v0)?.bytes == block.bytes)
    }

    @Test func getVerifiedCatchesCorruptStorage() throws {
        let base = MemoryBlockStore()
        let block = try Block(codec: .raw, hashing: Array("some bytes".utf8))
        base.put(block)
        let store = CorruptingStore(base: base, corrupt: [block.cid])
        #expect {
            try store.getVerified(block.cid)
        } throws: { error in
            guard case .invalidBlock(.hashMismatch(let cid, _)) = error as? BlockStoreError else { return false }
            return cid == block.cid
        }
    }
}
