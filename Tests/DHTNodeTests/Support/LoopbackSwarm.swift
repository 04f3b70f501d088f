import DHTCrypto
import Kademlia
import NIOPosix

@testable import DHTNode

/// Nodes on 127.0.0.1 with system-picked ports, in this process.
struct LoopbackSwarm {
    var nodes: [Node] = []

    static let loopback = NodeAddress(ipv4: 0x7f00_0001, port: 0)

    /// A configuration for loopback: IP diversity off (every node shares 127.0.0.1) and the rate limits off (one
    /// test drives thousands of requests from one IP).
    static func configuration(bootstrap: [NodeAddress] = []) -> NodeConfiguration {
        var kademlia = KademliaConfiguration()
        kademlia.routingTable.ipDiversity = nil
        // Loopback RTTs are well under a millisecond, which would put timeouts at the 50 ms floor; other suites
        // share the two cores, and a stall that long is no lost datagram.
        kademlia.minimumTimeout = .milliseconds(500)
        return NodeConfiguration(
            identity: NodeIdentity.generate(),
            listenAddresses: [loopback],
            bootstrapAddresses: bootstrap,
            kademlia: kademlia,
            limits: .unlimitedRates
        )
    }

    /// Starts `count` nodes: the first alone, the others bootstrapping from it, 10 at a time (a node verifies at
    /// most 64 unknown contacts at once, so a larger burst of joins leaves some out of some tables for a while).
    static func start(count: Int) async throws -> LoopbackSwarm {
        var swarm = LoopbackSwarm()
        let seed = Node(configuration: configuration())
        try await seed.start()
        swarm.nodes.append(seed)
        let seedAddress = seed.listeningAddresses[0]
        for _ in 1..<count {
            let node = Node(configuration: configuration(bootstrap: [seedAddress]))
            swarm.nodes.append(node)
        }
        let joiners = Array(swarm.nodes.dropFirst())
        for start in stride(from: 0, to: joiners.count, by: 10) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in joiners[start..<min(start + 10, joiners.count)] {
                    group.addTask {
                        try await node.start()
                        _ = try await node.bootstrap()
                    }
                }
                try await group.waitForAll()
            }
        }
        return swarm
    }

    func stop() async {
        for node in nodes { await node.stop() }
    }

    /// The IDs of the `count` nodes closest to `target`, other than `excluding`.
    func trueClosest(to target: NodeID, count: Int, excluding: NodeID) -> [NodeID] {
        nodes.map(\.id).filter { $0 != excluding }.sorted { $0.distance(to: target) < $1.distance(to: target) }
            .prefix(count).map { $0 }
    }
}
