import DHTCrypto
import Testing

@testable import Blocks

@Suite struct DAGReaderTests {
    private func read(_ root: CID, _ store: some BlockStore, _ range: Range<UInt64>? = nil) throws -> [UInt8] {
        var reader = try DAGReader(root: root, store: store, range: range)
        return try reader.readAll()
    }

    /// Reads until the first error; returns the bytes returned before it and the error.
    private func readUntilError(_ root: CID, _ store: some BlockStore) -> ([UInt8], DAGReadError?) {
        var output: [UInt8] = []
        do {
            var reader = try DAGReader(root: root, store: store)
            while let piece = try reader.next() { output.append(contentsOf: piece) }
            return (output, nil)
        } catch {
            return (output, error)
        }
    }

    @Test func readsEveryRangeOfADeepTree() throws {
        let bytes = distinctBytes(50)
        let (store, result) = try importIntoMemory(bytes)
        for lower in 0...bytes.count {
            for upper in lower...bytes.count {
                let range = UInt64(lower)..<UInt64(upper)
                #expect(try read(result.root, store, range) == Array(bytes[lower..<upper]), "range \(range)")
            }
        }
    }

    @Test func readsRangesAtKuboChunkBoundaries() throws {
        let vector = try #require(CIDVector.all.first { $0.generator == "pattern251" })
        let bytes = vector.source.all()
        let store = MemoryBlockStore()
        let result = try BalancedDAGBuilder.importBytes(bytes, to: store)
        let chunk = 262_144
        let ranges: [Range<Int>] = [
            0..<1, (chunk - 1)..<(chunk + 1), chunk..<chunk, chunk..<(chunk + 1), (chunk - 1)..<chunk,
            (2 * chunk - 10)..<(3 * chunk + 10), (4 * chunk)..<(4 * chunk + 1), (bytes.count - 1)..<bytes.count,
            bytes.count..<bytes.count, 0..<bytes.count,
        ]
        for range in ranges {
            let wanted = UInt64(range.lowerBound)..<UInt64(range.upperBound)
            #expect(try read(result.root, store, wanted) == Array(bytes[range]), "range \(range)")
        }
    }

    @Test func rangesFetchOnlyTheLeavesTheyNeed() throws {
        let vector = try #require(CIDVector.all.first { $0.generator == "pattern251" })
        let base = MemoryBlockStore()
        let result = try BalancedDAGBuilder.importBytes(vector.source.all(), to: base)
        let root = try PBNode(decoding: try #require(base.get(result.root)))

        // One byte in the second leaf: the root and that leaf, nothing else.
        let counting = CountingStore(base: base)
        _ = try read(result.root, counting, 262_144..<262_145)
        #expect(counting.fetched == [result.root, root.links[1].hash])

        // Across a boundary: the two leaves around it.
        let across = CountingStore(base: base)
        _ = try read(result.root, across, 262_143..<262_145)
        #expect(across.fetched == [result.root, root.links[0].hash, root.links[1].hash])

        // An empty range reads the root only.
        let empty = CountingStore(base: base)
        #expect(try read(result.root, empty, 500_000..<500_000).isEmpty)
        #expect(empty.fetched == [result.root])
    }

    @Test func rangesInADeepTreeFetchOnePath() throws {
        let (base, result) = try importIntoMemory(distinctBytes(150))  // 38 leaves, depth 4
        let counting = CountingStore(base: base)
        #expect(try read(result.root, counting, 97..<99) == [97, 98])
        #expect(counting.fetched.count == 5)
        #expect(counting.fetched.last?.codec == .raw)
    }

    @Test func rejectsRangesPastTheEnd() throws {
        let (store, result) = try importIntoMemory(distinctBytes(50))
        #expect(throws: DAGReadError.rangeOutOfBounds(0..<51, fileSize: 50)) {
            try DAGReader(root: result.root, store: store, range: 0..<51)
        }
        #expect(throws: DAGReadError.rangeOutOfBounds(60..<60, fileSize: 50)) {
            try DAGReader(root: result.root, store: store, range: 60..<60)
        }
    }

    @Test func corruptLeafFailsNamingItsCIDAndReturnsNoWrongBytes() throws {
        let bytes = distinctBytes(50)
        let (base, result) = try importIntoMemory(bytes)
        // Corrupt the sixth leaf (bytes 20..<24).
        let leaf = CID.raw(Multihash(hashing: Array(bytes[20..<24])))
        #expect(base.has(leaf))
        let (output, error) = readUntilError(result.root, CorruptingStore(base: base, corrupt: [leaf]))
        #expect(error == .hashMismatch(leaf))
        #expect(output == Array(bytes[0..<20]))
        #expect(error?.description.contains(leaf.description) == true)
        // A range that avoids the corrupt leaf still reads.
        let avoiding = try read(result.root, CorruptingStore(base: base, corrupt: [leaf]), 24..<50)
        #expect(avoiding == Array(bytes[24..<50]))
    }

    @Test func corruptNodesFailToo() throws {
        let (base, result) = try importIntoMemory(distinctBytes(50))
        #expect(throws: DAGReadError.hashMismatch(result.root)) {
            try DAGReader(root: result.root, store: CorruptingStore(base: base, corrupt: [result.root]))
        }
        let root = try PBNode(decoding: try #require(base.get(result.root)))
        let inner = root.links[1].hash
        let (output, error) = readUntilError(result.root, CorruptingStore(base: base, corrupt: [inner]))
        #expect(error == .hashMismatch(inner))
        #expect(output == distinctBytes(36))
    }

    @Test func corruptBlockInAKuboVectorIsCaught() throws {
        let vector = try #require(CIDVector.all.first { $0.size == 262_145 })
        let bytes = vector.source.all()
        let base = MemoryBlockStore()
        let result = try BalancedDAGBuilder.importBytes(bytes, to: base)
        let first = CID.raw(Multihash(hashing: Array(bytes[0..<262_144])))
        let (output, error) = readUntilError(result.root, CorruptingStore(base: base, corrupt: [first]))
        #expect(error == .hashMismatch(first))
        #expect(output.isEmpty)
    }

    @Test func missingBlocksAreNamed() throws {
        let bytes = distinctBytes(50)
        let (store, result) = try importIntoMemory(bytes)
        let leaf = CID.raw(Multihash(hashing: Array(bytes[0..<4])))
        store.delete(leaf)
        #expect(throws: DAGReadError.blockNotFound(leaf)) { try read(result.root, store) }
        let absent = CID.raw(Multihash(hashing: [9, 9]))
        #expect(throws: DAGReadError.blockNotFound(absent)) { try DAGReader(root: absent, store: store) }
    }

    @Test func readsThroughACIDv0Root() throws {
        let bytes = distinctBytes(50)
        let (store, result) = try importIntoMemory(bytes)
        #expect(try read(CID.v0(result.root.multihash), store) == bytes)
    }

    // MARK: Hand-made DAGs

    private func put(_ node: PBNode, _ store: MemoryBlockStore) throws -> CID {
        let block = try Block(codec: .dagPB, hashing: node.encoded())
        store.put(block)
        return block.cid
    }

    private func leaf(_ bytes: [UInt8], _ store: MemoryBlockStore) throws -> CID {
        let block = try Block(codec: .raw, hashing: bytes)
        store.put(block)
        return block.cid
    }

    @Test func readsDagPBLeavesWithInlineData() throws {
        // kubo without raw leaves: dag-pb leaves holding `Data`, and a node holding data before its children.
        let store = MemoryBlockStore()
        let first = try put(PBNode(data: UnixFSData(type: .file, data: [1, 2, 3], filesize: 3).encoded()), store)
        let second = try put(PBNode(data: UnixFSData(type: .raw, data: [4, 5], filesize: 2).encoded()), store)
        let third = try leaf([6], store)
        let root = try put(
            PBNode(
                links: [PBLink(hash: first), PBLink(hash: second), PBLink(hash: third)],
                data: UnixFSData(type: .file, data: [0], filesize: 7, blocksizes: [3, 2, 1]).encoded()),
            store)
        #expect(try read(root, store) == [0, 1, 2, 3, 4, 5, 6])
        #expect(try read(root, store, 3..<6) == [3, 4, 5])
        #expect(try read(root, store, 0..<1) == [0])
    }

    @Test func rejectsDAGsThatLieAboutSizes() throws {
        let store = MemoryBlockStore()
        let four = try leaf([1, 2, 3, 4], store)
        let claimsFive = try put(
            PBNode(links: [PBLink(hash: four)], data: UnixFSData.fileNode(blocksizes: [5]).encoded()), store)
        #expect(throws: DAGReadError.sizeMismatch(four, expected: 5, actual: 4)) { try read(claimsFive, store) }

        let wrongTotal = try put(
            PBNode(
                links: [PBLink(hash: four)],
                data: UnixFSData(type: .file, filesize: 10, blocksizes: [4]).encoded()),
            store)
        #expect(throws: DAGReadError.filesizeMismatch(wrongTotal, declared: 10, computed: 4)) {
            try DAGReader(root: wrongTotal, store: store)
        }

        let noSizes = try put(PBNode(links: [PBLink(hash: four)], data: UnixFSData(type: .file).encoded()), store)
        #expect(throws: DAGReadError.blocksizesMismatch(noSizes, links: 1, blocksizes: 0)) {
            try DAGReader(root: noSizes, store: store)
        }
    }

    @Test func rejectsNodesThatAreNotFiles() throws {
        let store = MemoryBlockStore()
        let directory = try put(PBNode(data: UnixFSData(type: .directory).encoded()), store)
        #expect(throws: DAGReadError.notAFile(directory, .directory)) { try DAGReader(root: directory, store: store) }
        let bare = try put(PBNode(), store)
        #expect(throws: DAGReadError.missingUnixFSData(bare)) { try DAGReader(root: bare, store: store) }
        let junk = try put(PBNode(data: [0xff]), store)
        #expect(throws: DAGReadError.invalidUnixFS(junk, .varint(.truncated(offset: 0)))) {
            try DAGReader(root: junk, store: store)
        }
    }

    @Test func boundsTheDepthOfADAG() throws {
        let store = MemoryBlockStore()
        let bottom = try leaf([42], store)
        // A file whose only leaf sits `depth` levels below the root.
        func chain(_ depth: Int) throws -> CID {
            var cid = bottom
            for _ in 0..<depth {
                let node = PBNode(links: [PBLink(hash: cid)], data: UnixFSData.fileNode(blocksizes: [1]).encoded())
                cid = try put(node, store)
            }
            return cid
        }
        let limit = FileDAGWalker.maxDepth
        #expect(try read(chain(10), store) == [42])
        #expect(try read(chain(limit), store) == [42])
        #expect(throws: DAGReadError.tooDeep(bottom)) { try read(chain(limit + 1), store) }
    }

    @Test func rejectsBlocksThatAreNotDagPB() throws {
        let store = MemoryBlockStore()
        let bytes: [UInt8] = [0x1a, 0x00]
        let cid = CID.dagPB(Multihash(hashing: bytes))
        try store.put(bytes, as: cid)
        #expect(throws: DAGReadError.invalidDagPB(cid, .unknownField(message: "PBNode", field: 3, offset: 0))) {
            try DAGReader(root: cid, store: store)
        }
    }
}
