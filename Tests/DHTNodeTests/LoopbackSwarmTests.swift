import DHTCrypto
import Kademlia
import Testing

@testable import DHTNode

@Suite("Nodes on loopback UDP", .serialized)
struct LoopbackSwarmTests {
    @Test("100 nodes: 200 lookups each return the true 20 closest; a value put on one is got from every other")
    func hundredNodes() async throws {
        let swarm = try await LoopbackSwarm.start(count: 100)
        defer { Task { await swarm.stop() } }
        // Joining settles: refreshes and verification pings run right after each bootstrap.
        try await Task.sleep(for: .milliseconds(500))

        var random = SystemRandomNumberGenerator()
        var exact = 0
        for _ in 0..<200 {
            let searcher = swarm.nodes[Int.random(in: 0..<swarm.nodes.count, using: &random)]
            let target = NodeID.random(using: &random)
            let result = try await searcher.findNode(target)
            let expected = swarm.trueClosest(to: target, count: 20, excluding: searcher.id)
            if result.closest.map(\.id) == expected { exact += 1 }
        }
        #expect(exact == 200)

        let key = NodeID(naming: "loopback-test-value")
        let report = try await swarm.nodes[0].put(Array("hello, swarm".utf8), under: key)
        #expect(report.accepted >= 10)
        var gotten = 0
        for node in swarm.nodes.dropFirst() {
            let values = try await node.get(key)
            if values.contains(where: { $0.data == Array("hello, swarm".utf8) && $0.publisher == swarm.nodes[0].id }) {
                gotten += 1
            }
        }
        #expect(gotten == 99)
        await swarm.stop()
    }

    @Test("provide and providers across the swarm")
    func providers() async throws {
        let swarm = try await LoopbackSwarm.start(count: 20)
        let key = NodeID(naming: "some-content")
        let report = try await swarm.nodes[3].provide(key)
        #expect(report.accepted >= 10)
        let found = try await swarm.nodes[17].providers(of: key)
        #expect(found.map(\.id).contains(swarm.nodes[3].id))
        await swarm.stop()
    }

    @Test("a node restarted from its snapshot answers lookups without bootstrapping")
    func restartFromSnapshot() async throws {
        let swarm = try await LoopbackSwarm.start(count: 20)
        let node = swarm.nodes[5]
        // The verification pings that follow the join admit contacts; wait for them (other suites may be loading
        // the machine), then snapshot.
        let deadline = ContinuousClock.now + .seconds(20)
        while try await node.snapshot().contacts.count < 5, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let snapshot = try await node.snapshot()
        // A table need not hold everyone (later joiners reach a node only if they ask it); enough to route.
        #expect(snapshot.contacts.count >= 5)
        await node.stop()
        var configuration = node.configuration
        configuration.restoredState = snapshot
        configuration.bootstrapAddresses = []
        configuration.listenAddresses = [LoopbackSwarm.loopback]
        let restarted = Node(configuration: configuration)
        try await restarted.start()
        let target = NodeID(naming: "anything")
        let result = try await restarted.findNode(target)
        let others = swarm.nodes.filter { $0.id != node.id }
        let expected = others.map(\.id).sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(20)
        #expect(result.closest.map(\.id).prefix(19) == expected.prefix(19))
        await restarted.stop()
        await swarm.stop()
    }

    @Test("a stopped node refuses operations with notRunning")
    func stopped() async throws {
        let node = Node(configuration: LoopbackSwarm.configuration())
        await #expect(throws: NodeError.notRunning) { try await node.findNode(.zero) }
        try await node.start()
        await node.stop()
        await #expect(throws: NodeError.notRunning) { try await node.findNode(.zero) }
    }
}
