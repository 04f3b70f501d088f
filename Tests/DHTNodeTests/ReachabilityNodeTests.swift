import DHTCrypto
@testable import Kademlia
import Testing

@testable import DHTNode

@Suite("Reachability through the endpoint and on loopback UDP", .serialized)
struct ReachabilityNodeTests {
    @Test("the nonce of a DIAL_BACK is permuted on the wire and mapped back when its probe arrives from the probe socket")
    func endpointNonce() throws {
        var network = EndpointNetwork()
        let a = network.add(1)
        let b = network.add(2)
        let c = network.add(3)
        // A knows B; B knows C: a bootstrap through B, then C through B.
        _ = network.perform(at: b) { core, now in core.bootstrap(from: [c], now: now) }
        _ = network.perform(at: a) { core, now in core.bootstrap(from: [b], now: now) }
        #expect(network.endpoints[b]!.core.routingTable.count >= 1)
        let nonce: UInt64 = 0x1234_5678
        let sentBefore = network.sent.count
        // A's own dial-back as the core would send it.
        var endpoint = network.endpoints[a]!
        let now = network.now
        let outputs = endpoint.perform(
            { core in
                var directives: [KademliaDirective] = []
                core.sendRequest(
                    .dialBack(nonce: nonce), to: b, expectedID: nil, purpose: .dialBack(nonce), attempt: 1, now: now,
                    into: &directives)
                return directives
            }, now: network.now)
        network.endpoints[a] = endpoint
        network.deliver(outputs, from: a)
        let sent = network.sent[sentBefore...].map { (try? DHTDatagram(decoding: $0.bytes), $0.from, $0.to) }
        let dialBack = sent.first { if case .request(.dialBack)? = $0.0?.body { true } else { false } }
        guard case .request(.dialBack(let wireNonce))? = dialBack?.0?.body else {
            Issue.record("no DIAL_BACK sent")
            return
        }
        #expect(wireNonce != nonce)
        let probe = sent.first { if case .request(.dialProbe)? = $0.0?.body { true } else { false } }
        #expect(probe?.1 == EndpointNetwork.probeAddress(of: c))
        #expect(probe?.2 == a)
        var probeNonce: UInt64?
        if case .request(.dialProbe(let carried))? = probe?.0?.body { probeNonce = carried }
        #expect(probeNonce == wireNonce)
        #expect(network.endpoints[a]!.statistics.probesReceived == 1)
        #expect(network.endpoints[c]!.statistics.probesSent == 1)
    }

    @Test("nodes on loopback find out they are public, with their own address observed")
    func loopbackPublic() async throws {
        var generator = SystemRandomNumberGenerator()
        let swarm = try await LoopbackSwarm.start(count: 6)
        // Nodes that joined at once know only the seed until their lookups meet the others.
        for node in swarm.nodes { _ = try? await node.findNode(NodeID.random(using: &generator)) }
        let deadline = ContinuousClock.now + .seconds(30)
        var statuses: [ReachabilityStatus] = []
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            statuses = []
            for node in swarm.nodes { statuses.append(try await node.reachability.status) }
        } while statuses.contains(where: { $0 != .public }) && ContinuousClock.now < deadline
        #expect(statuses == Array(repeating: .public, count: 6))
        let report = try await swarm.nodes[2].reachability
        #expect(!report.isClient)
        #expect(report.observedAddresses.map(\.address).contains(swarm.nodes[2].listeningAddresses[0]))
        let statistics = try await swarm.nodes[2].statistics()
        #expect(statistics.reachability == .public)
        #expect(statistics.reachabilityCounters.reached >= 3)
        await swarm.stop()
    }
}
