import Testing

@testable import Blocks

/// The sans-I/O walk, driven by hand the way a network fetcher will drive it.
@Suite struct FileDAGWalkerTests {
    private func open(_ store: MemoryBlockStore, _ root: CID, _ range: Range<UInt64>? = nil) throws -> FileDAGWalker {
        try FileDAGWalker(root: root, rootBytes: try #require(store.get(root)), range: range)
    }

    @Test func asksForBlocksAndHandsOutBytesInOrder() throws {
        let bytes = distinctBytes(10)  // three leaves under one node
        let (store, result) = try importIntoMemory(bytes)
        var walker = try open(store, result.root)
        var steps: [String] = []
        var output: [UInt8] = []
        loop: while true {
            switch walker.next() {
            case .need(let cid):
                steps.append("need")
                #expect(walker.next() == .need(cid))  // asking again does not advance
                try walker.deliver(try #require(store.get(cid)), for: cid)
            case .bytes(let piece):
                steps.append("bytes \(piece.count)")
                output += piece
            case .finished:
                break loop
            }
        }
        #expect(steps == ["need", "bytes 4", "need", "bytes 4", "need", "bytes 2"])
        #expect(output == bytes)
        #expect(walker.next() == .finished)
    }

    @Test func aCorruptDeliveryCanBeRetriedWithGoodBytes() throws {
        let bytes = distinctBytes(10)
        let (store, result) = try importIntoMemory(bytes)
        var walker = try open(store, result.root)
        guard case .need(let first) = walker.next() else {
            Issue.record("expected a need")
            return
        }
        var bad = try #require(store.get(first))
        bad[0] ^= 0xff
        #expect(throws: DAGReadError.hashMismatch(first)) { try walker.deliver(bad, for: first) }
        #expect(walker.next() == .need(first))
        try walker.deliver(try #require(store.get(first)), for: first)
        #expect(walker.next() == .bytes(bytes[0..<4]))
    }

    @Test func rejectsBlocksItDidNotAskFor() throws {
        let (store, result) = try importIntoMemory(distinctBytes(10))
        var walker = try open(store, result.root)
        let stray = CID.raw(Multihash(hashing: [1]))
        #expect(throws: DAGReadError.unexpectedBlock(stray, expected: nil)) { try walker.deliver([1], for: stray) }
        guard case .need(let first) = walker.next() else {
            Issue.record("expected a need")
            return
        }
        #expect(throws: DAGReadError.unexpectedBlock(stray, expected: first)) { try walker.deliver([1], for: stray) }
    }

    @Test func refusesOversizedBlocksBeforeHashingThem() throws {
        let (store, result) = try importIntoMemory(distinctBytes(10))
        var walker = try open(store, result.root)
        guard case .need(let first) = walker.next() else {
            Issue.record("expected a need")
            return
        }
        let huge = [UInt8](repeating: 0, count: Block.maxByteCount + 1)
        #expect(throws: DAGReadError.blockTooLarge(first, byteCount: huge.count)) {
            try walker.deliver(huge, for: first)
        }
        #expect(throws: DAGReadError.blockTooLarge(first, byteCount: huge.count)) {
            try FileDAGWalker(root: first, rootBytes: huge)
        }
    }

    @Test func upcomingPredictsEveryNeedInOrder() throws {
        let bytes = distinctBytes(150)  // depth 4
        let (store, result) = try importIntoMemory(bytes)
        for range: Range<UInt64> in [0..<150, 37..<38, 20..<121, 149..<150] {
            var walker = try open(store, result.root, range)
            var predicted = walker.upcoming(limit: 1).first
            var output: [UInt8] = []
            loop: while true {
                switch walker.next() {
                case .need(let cid):
                    #expect(cid == predicted, "range \(range)")
                    try walker.deliver(try #require(store.get(cid)), for: cid)
                    predicted = walker.upcoming(limit: 1).first
                case .bytes(let piece):
                    output += piece
                case .finished:
                    break loop
                }
            }
            #expect(predicted == nil)
            #expect(output == Array(bytes[Int(range.lowerBound)..<Int(range.upperBound)]))
        }
    }

    @Test func upcomingListsTheNextLeavesOfAFlatFile() throws {
        let vector = try #require(CIDVector.all.first { $0.generator == "pattern251" })
        let store = MemoryBlockStore()
        let result = try BalancedDAGBuilder.importBytes(vector.source.all(), to: store)
        let root = try PBNode(decoding: try #require(store.get(result.root)))
        let walker = try open(store, result.root, 300_000..<800_000)
        #expect(walker.upcoming(limit: 10) == root.links[1...3].map(\.hash))
        #expect(walker.upcoming(limit: 2) == root.links[1...2].map(\.hash))
    }

    @Test func verifiedBlocksAreDeliveredWithoutHashingAndMustBeTheOneAskedFor() throws {
        let bytes = distinctBytes(10)
        let (store, result) = try importIntoMemory(bytes)
        var walker = try FileDAGWalker(root: try #require(try store.getVerified(result.root)))
        guard case .need(let first) = walker.next() else {
            Issue.record("expected a need")
            return
        }
        let block = try #require(try store.getVerified(first))
        // The same bytes under a CID of another codec are not the block asked for.
        let other = try Block(verifying: block.bytes, as: .dagPB(first.multihash))
        #expect(throws: DAGReadError.unexpectedBlock(other.cid, expected: first)) { try walker.deliver(other) }
        try walker.deliver(block)
        var output: [UInt8] = []
        while true {
            switch walker.next() {
            case .need(let cid): try walker.deliver(try #require(try store.getVerified(cid)))
            case .bytes(let piece): output += piece
            case .finished:
                #expect(output == bytes)
                return
            }
        }
    }
}
