import Blocks
import Exchange
import Kademlia
import Rendezvous
import Testing

@testable import DHTNode

/// Issue 6's rendezvous test: nodes that know only a bootstrap node find each other through the session block's
/// provider records and connect directly.
@Suite("Session rendezvous on loopback", .serialized)
struct RendezvousSwarmTests {
    @Test("20 nodes that know only a bootstrap node each connect directly to at least 5 others within two 5 s windows")
    func twentyMembers() async throws {
        let bootstrap = Node(configuration: LoopbackSwarm.configuration())
        try await bootstrap.start()
        let seed = bootstrap.listeningAddresses
        var members: [Node] = []
        for _ in 0..<20 {
            var configuration = LoopbackSwarm.configuration(bootstrap: seed)
            configuration.content = ContentConfiguration(store: MemoryBlockStore())
            configuration.rendezvous = RendezvousConfiguration(swarm: "test-swarm", windowSeconds: 5, maxMembers: 8)
            let node = Node(configuration: configuration)
            try await node.start()
            members.append(node)
        }
        let memberIDs = Set(members.map { ExchangePeer($0.id) })
        let started = ContinuousClock.now
        var counts: [Int] = []
        while started.duration(to: .now) < .seconds(11) {
            try await Task.sleep(for: .milliseconds(500))
            counts = []
            for node in members {
                let connected = Set(await node.exchange!.connectedPeers).intersection(memberIDs)
                counts.append(connected.count)
            }
            if counts.allSatisfy({ $0 >= 5 }) { break }
        }
        let elapsed = started.duration(to: .now)
        #expect(counts.allSatisfy { $0 >= 5 }, "direct member connections per node: \(counts.sorted())")
        #expect(elapsed < .seconds(11))
        // The rendezvous knows its own members; the bootstrap node is never one (it provides no session block).
        #expect(members.allSatisfy { !$0.rendezvousMembers.contains(bootstrap.id) })
        #expect(members.contains { !$0.rendezvousMembers.isEmpty })

        // A member that stops leaves the others' member lists as its connections close, not at a later look.
        let leaving = try #require(members.first { node in members.contains { $0.rendezvousMembers.contains(node.id) } })
        let holders = members.filter { $0.rendezvousMembers.contains(leaving.id) }
        await leaving.stop()
        let stopped = ContinuousClock.now
        while holders.contains(where: { $0.rendezvousMembers.contains(leaving.id) }),
            stopped.duration(to: .now) < .seconds(3)
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!holders.contains { $0.rendezvousMembers.contains(leaving.id) })
        #expect(stopped.duration(to: .now) < .milliseconds(500), "members dropped the stopped node after \(stopped.duration(to: .now))")
        for node in members { await node.stop() }
        await bootstrap.stop()
    }

    @Test("a node refuses to start with a swarm name the session block cannot carry")
    func invalidSwarmName() async throws {
        var configuration = LoopbackSwarm.configuration()
        configuration.content = ContentConfiguration(store: MemoryBlockStore())
        configuration.rendezvous = RendezvousConfiguration(swarm: String(repeating: "x", count: 300))
        let node = Node(configuration: configuration)
        await #expect(throws: NodeError.invalidSwarmName(String(repeating: "x", count: 300))) { try await node.start() }
        await node.stop()
    }
}
