import Blocks
import Testing

@testable import Exchange

/// How soon the first block comes from peers that are already connected (the session rendezvous' case): the
/// optimistic `WANT_BLOCK` for the root (``ExchangeConfiguration/optimisticRootPeers``).
@Suite("Exchange first block from connected peers")
struct ExchangeFirstBlockTests {
    static let oneWay: Duration = .milliseconds(20)
    static let roundTrip: Duration = oneWay * 2

    /// A leecher connected to `peers` peers (in that order); `holders` of them hold one file of `fileSize` bytes.
    static func swarm(
        peers: Int,
        holders: [Int],
        fileSize: Int,
        configuration: ExchangeConfiguration = ExchangeConfiguration()
    ) throws -> (harness: ExchangeHarness, leecher: Int, peers: [Int], root: CID, file: [UInt8]) {
        var harness = ExchangeHarness()
        harness.delay = oneWay
        let leecher = harness.addNode(configuration: configuration)
        let others = (0..<peers).map { _ in harness.addNode(configuration: configuration) }
        let file = ExchangeHarness.fileBytes(count: fileSize, seed: 22)
        let root = try harness.importFile(file, into: others[holders[0]], chunkSize: 256 * 1024)
        for holder in holders.dropFirst() { harness.copyBlocks(from: others[holders[0]], to: others[holder]) }
        for peer in others { harness.connect(leecher, peer) }
        return (harness, leecher, others, root, file)
    }

    @Test("a one-block file held by one of five connected peers arrives in one round trip, without duplicates")
    func oneRoundTrip() throws {
        var swarm = try Self.swarm(peers: 5, holders: [3], fileSize: 22_000)
        let id = swarm.harness.startFetch(at: swarm.leecher, root: swarm.root)
        let ran1 = swarm.harness.runFetch(id, at: swarm.leecher)
        #expect(ran1)
        let statistics = try #require(swarm.harness.nodes[swarm.leecher].completed[id])
        #expect(swarm.harness.nodes[swarm.leecher].delivered[id] == swarm.file)
        let ttlb = try #require(statistics.timeToLastByte)
        #expect(ttlb < Self.roundTrip + .milliseconds(5), "\(ttlb)")
        #expect(statistics.duplicateBlocks == 0)
    }

    @Test("asking WANT_HAVE only (optimisticRootPeers = 0) takes two round trips: the baseline")
    func twoRoundTripsWithoutOptimism() throws {
        var configuration = ExchangeConfiguration()
        configuration.optimisticRootPeers = 0
        var swarm = try Self.swarm(peers: 5, holders: [3], fileSize: 22_000, configuration: configuration)
        let id = swarm.harness.startFetch(at: swarm.leecher, root: swarm.root)
        let ran2 = swarm.harness.runFetch(id, at: swarm.leecher)
        #expect(ran2)
        let statistics = try #require(swarm.harness.nodes[swarm.leecher].completed[id])
        let ttlb = try #require(statistics.timeToLastByte)
        #expect(ttlb >= Self.roundTrip * 2, "\(ttlb)")
    }

    @Test("three holders: each sends the root at most once, and the extra copies are counted as duplicates")
    func severalHolders() throws {
        var swarm = try Self.swarm(peers: 5, holders: [0, 2, 4], fileSize: 22_000)
        let id = swarm.harness.startFetch(at: swarm.leecher, root: swarm.root)
        let ran3 = swarm.harness.runFetch(id, at: swarm.leecher)
        #expect(ran3)
        swarm.harness.run(until: .seconds(1)) { _ in false }
        let statistics = try #require(swarm.harness.nodes[swarm.leecher].completed[id])
        #expect(swarm.harness.nodes[swarm.leecher].delivered[id] == swarm.file)
        let sent = swarm.peers.map { swarm.harness.nodes[$0].blocksSent[swarm.root] ?? 0 }
        #expect(sent.allSatisfy { $0 <= 1 }, "\(sent)")
        #expect(statistics.duplicateBlocks <= 2)
    }

    @Test("preferred peers get the optimistic WANT_BLOCK: with one allowed, the preferred holder answers in one RTT")
    func preferredFirst() throws {
        var configuration = ExchangeConfiguration()
        configuration.optimisticRootPeers = 1
        var swarm = try Self.swarm(peers: 4, holders: [3], fileSize: 22_000, configuration: configuration)
        let id = swarm.harness.startFetch(at: swarm.leecher, root: swarm.root, preferring: [swarm.peers[3]])
        let ran4 = swarm.harness.runFetch(id, at: swarm.leecher)
        #expect(ran4)
        let fast = try #require(swarm.harness.nodes[swarm.leecher].completed[id]?.timeToLastByte)
        #expect(fast < Self.roundTrip + .milliseconds(5), "\(fast)")

        var other = try Self.swarm(peers: 4, holders: [3], fileSize: 22_000, configuration: configuration)
        let slowID = other.harness.startFetch(at: other.leecher, root: other.root)
        let ran5 = other.harness.runFetch(slowID, at: other.leecher)
        #expect(ran5)
        let slow = try #require(other.harness.nodes[other.leecher].completed[slowID]?.timeToLastByte)
        #expect(slow >= Self.roundTrip * 2, "\(slow)")
    }

    @Test("peers asked optimistically that lack the file leave the session and are never asked for other blocks")
    func nonHoldersLeave() throws {
        var swarm = try Self.swarm(peers: 4, holders: [1], fileSize: 3 * 1024 * 1024)
        let id = swarm.harness.startFetch(at: swarm.leecher, root: swarm.root)
        let ran6 = swarm.harness.runFetch(id, at: swarm.leecher)
        #expect(ran6)
        let statistics = try #require(swarm.harness.nodes[swarm.leecher].completed[id])
        #expect(swarm.harness.nodes[swarm.leecher].delivered[id] == swarm.file)
        #expect(statistics.duplicateBlocks == 0)
        #expect(statistics.peers.count == 1)
        #expect(statistics.peers[swarm.harness.nodes[swarm.peers[1]].peer]?.bytes == statistics.blockBytes)
    }
}
