import Blocks
import Testing

@testable import Exchange

@Suite("An origin beside peers")
struct ExchangeOriginSourceTests {
    /// A fetcher connected to seeders (peers with every block) and to an origin: a dedicated source holding only
    /// the file's raw leaves, as an HTTP origin serves the file's bytes and none of its DAG's nodes.
    static func originAndSeeders(_ count: Int = 1, fileSize: Int, seederUplink: Double, originUplink: Double) throws
        -> (harness: ExchangeHarness, seeders: [Int], origin: Int, fetcher: Int, root: CID, file: [UInt8])
    {
        var harness = ExchangeHarness()
        let file = ExchangeHarness.fileBytes(count: fileSize, seed: 25)
        let seeders = (0..<count).map { _ in harness.addNode(uplink: seederUplink) }
        let root = try harness.importFile(file, into: seeders[0], chunkSize: 64 * 1024)
        for seeder in seeders.dropFirst() { harness.copyBlocks(from: seeders[0], to: seeder) }
        let origin = harness.addNode(uplink: originUplink)
        let store = harness.nodes[origin].store
        var builder = BalancedDAGBuilder(profile: try ImportProfile(chunkSize: 64 * 1024, maxLinks: 174))
        builder.append(file[...]) { block in if block.cid.codec == .raw { try? store.put(block) } }
        let imported = builder.finish { block in if block.cid.codec == .raw { try? store.put(block) } }
        #expect(imported.root == root)
        #expect(!store.has(root))
        let fetcher = harness.addNode()
        for seeder in seeders { harness.connect(fetcher, seeder) }
        harness.connectSource(origin, to: fetcher)
        return (harness, seeders, origin, fetcher, root, file)
    }

    @Test("a source that lacks the root (an origin) stays in the fetch and serves leaves beside a connected peer")
    func originLackingRootStays() throws {
        var setup = try Self.originAndSeeders(fileSize: 2 * 1024 * 1024, seederUplink: 1_000_000, originUplink: 4_000_000)
        let id = setup.harness.startFetch(at: setup.fetcher, root: setup.root)
        // The root is asked of the connected seeder first (optimistically); the origin joins as a provider at once,
        // is asked for the root too and answers DONT_HAVE, before the seeder's root arrives.
        setup.harness.addProvider(setup.origin, to: id, at: setup.fetcher)
        let ran = setup.harness.runFetch(id, at: setup.fetcher)
        #expect(ran)
        let node = setup.harness.nodes[setup.fetcher]
        #expect(node.delivered[id] == setup.file)
        let statistics = try #require(node.completed[id])
        let fromOrigin = statistics.peers[setup.harness.nodes[setup.origin].peer]?.bytes ?? 0
        // At four times the seeder's rate, the origin serves most of the file.
        #expect(fromOrigin > UInt64(setup.file.count / 2))
    }

    @Test("a source not measured yet is asked for the first leaf before peers not measured yet")
    func sourceLeads() throws {
        // Three seeders: one sends the root (and is measured), the other two are not measured yet when the leaves
        // are asked, like the origin.
        var setup = try Self.originAndSeeders(3, fileSize: 1024 * 1024, seederUplink: 1_000_000, originUplink: 4_000_000)
        let firstLeaf = try Block(codec: .raw, hashing: Array(setup.file[0..<(64 * 1024)])).cid
        let id = setup.harness.startFetch(at: setup.fetcher, root: setup.root)
        setup.harness.addProvider(setup.origin, to: id, at: setup.fetcher)
        let ran = setup.harness.runFetch(id, at: setup.fetcher)
        #expect(ran)
        #expect(setup.harness.nodes[setup.fetcher].delivered[id] == setup.file)
        #expect(setup.harness.nodes[setup.origin].blocksSent[firstLeaf] == 1)
        for seeder in setup.seeders { #expect(setup.harness.nodes[seeder].blocksSent[firstLeaf] == nil) }
    }
}
