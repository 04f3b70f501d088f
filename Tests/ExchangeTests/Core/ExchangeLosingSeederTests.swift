import Blocks
import Testing

@testable import Exchange

/// A seeder that loses its blocks mid-fetch answers `DONT_HAVE`; its requests move to the others at once.
@Suite("Exchange seeder losing blocks")
struct ExchangeLosingSeederTests {
    @Test("DONT_HAVE moves requests to other seeders")
    func losesBlocks() throws {
        var swarm = try ExchangeSwarmTests.swarm(
            seeders: 2, fileSize: 2 * 1024 * 1024, chunkSize: 64 * 1024, seederUplink: 5_000_000)
        let id = swarm.harness.startFetch(at: swarm.leecher, root: swarm.root)
        let leecher = swarm.leecher
        swarm.harness.run { ($0.nodes[leecher].delivered[id]?.count ?? 0) >= 256 * 1024 }
        for multihash in swarm.harness.nodes[swarm.seeders[0]].store.multihashes {
            swarm.harness.nodes[swarm.seeders[0]].store.delete(.raw(multihash))
        }
        let ran = swarm.harness.runFetch(id, at: leecher)
        #expect(ran)
        #expect(swarm.harness.nodes[leecher].delivered[id] == swarm.file)
        let statistics = try #require(swarm.harness.nodes[leecher].completed[id])
        #expect(statistics.rerequests > 0)
    }
}
