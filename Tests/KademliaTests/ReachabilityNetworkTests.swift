import Testing

@testable import Kademlia

/// Dial-backs through real cores in the in-memory network: public nodes, nodes behind a filtering NAT, client mode,
/// and the service's limits.
@Suite("Reachability in a network of cores")
struct ReachabilityNetworkTests {
    static var checking: KademliaConfiguration {
        var configuration = KademliaConfiguration()
        configuration.reachability.isEnabled = true
        configuration.routingTable.ipDiversity = nil
        return configuration
    }

    /// `publicCount` public nodes, then `privateCount` behind a filtering NAT; all bootstrap from node 0.
    static func network(public publicCount: Int, private privateCount: Int, seed: UInt64) -> TestNetwork {
        var network = TestNetwork()
        var random = SeededRandom(seed: seed)
        for index in 0..<(publicCount + privateCount) {
            network.addNode(id: NodeID.random(using: &random), configuration: checking, seed: random.next())
            if index >= publicCount { network.filtered.insert(index) }
            guard index > 0 else { continue }
            let seedAddress = network.addresses[0]
            network.command(index) { $0.bootstrap(from: [seedAddress], now: $1) }
            network.runUntilIdle()
        }
        return network
    }

    @Test("public nodes find out they are public, a node behind a filtering NAT that it is private, within 30 s")
    func decides() {
        var network = Self.network(public: 6, private: 2, seed: 11)
        let start = network.now
        network.runWithTicks(until: start + .seconds(30))
        for index in 0..<6 {
            #expect(network.nodes[index].reachability.status == .public, "node \(index)")
            #expect(!network.nodes[index].isClient)
        }
        for index in 6..<8 {
            #expect(network.nodes[index].reachability.status == .private, "node \(index)")
            #expect(network.nodes[index].isClient)
            #expect((network.filteredOut[index] ?? 0) > 0)
            let report = network.nodes[index].reachabilityReport(now: network.now)
            #expect(report.observedAddresses.map(\.address) == [network.addresses[index]])
            #expect(report.unreached >= 3)
        }
    }

    @Test("a private node leaves the public nodes' tables, answers no request, and still puts and gets")
    func clientMode() {
        var network = Self.network(public: 6, private: 1, seed: 12)
        let start = network.now
        network.runWithTicks(until: start + .seconds(30))
        let client = 6
        #expect(network.nodes[client].isClient)
        let clientID = network.nodes[client].localID
        network.runWithTicks(until: network.now + .seconds(10))
        for index in 0..<6 {
            #expect(!network.nodes[index].routingTable.contains(clientID), "node \(index) still holds the client")
        }
        #expect(network.nodes[0...5].contains { $0.statistics.clientsRemoved > 0 })

        // Its requests carry CLIENT; nobody verifies it.
        let sentBefore = network.sent.count
        let key = named("from behind the NAT")
        let put = network.command(client) { $0.put(key, value: [1, 2, 3], now: $1) }
        network.runWithTicks(until: network.now + .seconds(10))
        #expect((network.result(client, put)?.publication?.accepted ?? 0) > 0)
        let fromClient = network.sent[sentBefore...].filter { $0.from == client }
        #expect(!fromClient.isEmpty)
        #expect(fromClient.allSatisfy { $0.message.request == nil || $0.message.isClient })
        #expect(!network.sent[sentBefore...].contains { $0.to == network.addresses[client] && $0.message.request == .ping })
        for index in 0..<6 { #expect(!network.nodes[index].routingTable.contains(clientID)) }

        // Another node finds the value; the client finds values too.
        let get = network.command(3) { $0.findValue(key, now: $1) }
        network.runWithTicks(until: network.now + .seconds(10))
        #expect(network.result(3, get)?.lookup?.values.map(\.data) == [[1, 2, 3]])
        let target = network.nodes[2].localID
        let own = network.command(client) { $0.findNode(target, now: $1) }
        network.runWithTicks(until: network.now + .seconds(10))
        #expect(network.result(client, own)?.lookup?.reachedNetwork == true)

        // A request straight to it goes unanswered.
        let before = network.nodes[client].statistics.requestsIgnoredAsClient
        network.inject(
            KademliaMessage(transactionID: TransactionID(rawValue: 7), sender: network.nodes[1].localID, body: .request(.ping)),
            from: network.addresses[1], to: client)
        #expect(network.nodes[client].statistics.requestsIgnoredAsClient == before + 1)
    }

    @Test("a DIAL_BACK makes a helper probe the requester's own address, never another")
    func probesOnlyTheRequester() {
        var network = Self.network(public: 4, private: 0, seed: 13)
        let asker = NodeAddress(ipv4: 0xc000_0201, port: 7000)
        let askerID = named("asker")
        network.addresses.append(asker)
        network.nodes.append(KademliaInstance(localID: askerID, configuration: Self.checking, seed: 99, now: network.now))
        let sentBefore = network.sent.count
        network.inject(
            KademliaMessage(transactionID: TransactionID(rawValue: 42), sender: askerID, body: .request(.dialBack(nonce: 77))),
            from: asker, to: 1)
        network.runUntilIdle()
        let sent = network.sent[sentBefore...]
        let requests = sent.filter { if case .request(.dialRequest) = $0.message.body { true } else { false } }
        #expect(requests.count == 1)
        #expect(requests.allSatisfy { $0.message.request == .dialRequest(nonce: 77, target: asker) })
        #expect(requests.allSatisfy { $0.from == 1 && $0.to != asker })
        let probes = sent.filter { if case .request(.dialProbe) = $0.message.body { true } else { false } }
        #expect(probes.count == 1)
        #expect(probes.allSatisfy { $0.to == asker && $0.from != 1 })
        let status = sent.first { $0.to == asker && $0.from == 1 && $0.message.response != nil }
        #expect(status?.message.response == .dialStatus(.probed, observed: asker))
        #expect(status?.message.transactionID == TransactionID(rawValue: 42))
    }

    @Test("a node that knows nobody else answers noHelper; budgets per source answer busy")
    func limits() {
        var network = Self.network(public: 2, private: 0, seed: 14)
        let asker = network.addresses[1]
        let askerID = network.nodes[1].localID
        func ask(_ nonce: UInt64, from address: NodeAddress, id: NodeID) -> KademliaResponse? {
            let before = network.sent.count
            network.inject(
                KademliaMessage(transactionID: TransactionID(rawValue: nonce), sender: id, body: .request(.dialBack(nonce: nonce))),
                from: address, to: 0)
            network.runUntilIdle()
            return network.sent[before...].first { $0.from == 0 && $0.to == address && $0.message.response != nil }?.message.response
        }
        // Node 0 knows only node 1, the asker itself.
        #expect(ask(1, from: asker, id: askerID) == .dialStatus(.noHelper, observed: asker))

        var bigger = Self.network(public: 5, private: 0, seed: 15)
        let stranger = NodeAddress(ipv4: 0xc000_0201, port: 7000)
        var answers: [KademliaResponse] = []
        for nonce in 1...12 {
            let before = bigger.sent.count
            bigger.inject(
                KademliaMessage(transactionID: TransactionID(rawValue: UInt64(nonce)), sender: named("s\(nonce)"), body: .request(.dialBack(nonce: UInt64(nonce)))),
                from: stranger, to: 0)
            bigger.runUntilIdle()
            if let answer = bigger.sent[before...].first(where: { $0.from == 0 && $0.to == stranger && $0.message.response != nil })?.message.response {
                answers.append(answer)
            }
        }
        let limit = ReachabilityConfiguration().limits.dialBacksPerSource
        #expect(answers.filter { $0 == .dialStatus(.probed, observed: stranger) }.count == limit)
        #expect(answers.filter { $0 == .dialStatus(.busy, observed: stranger) }.count == 12 - limit)
    }

    @Test("a helper refuses to probe loopback for a node that is not on loopback, and caps probes per target network")
    func helperRules() {
        var node = KademliaInstance(localID: named("helper"), configuration: Self.checking, seed: 1, now: .seconds(1))
        let requester = NodeAddress(ipv4: 0xc000_0201, port: 7000)
        func request(_ target: NodeAddress, _ tx: UInt64, from: NodeAddress = requester) -> [KademliaDirective] {
            node.handleMessage(
                KademliaMessage(transactionID: TransactionID(rawValue: tx), sender: named("b\(tx)"), body: .request(.dialRequest(nonce: tx, target: target))),
                from: from, now: .seconds(2))
        }
        let loopback = NodeAddress(ipv4: 0x7f00_0001, port: 4001)
        #expect(request(loopback, 1).sends.first?.message.response == .dialStatus(.refused, observed: requester))
        #expect(request(loopback, 1).sends.count == 1)
        let victim = NodeAddress(ipv4: 0xc633_6401, port: 53)
        var probes = 0
        var busy = 0
        for tx in 2..<40 {
            let requesterN = NodeAddress(ipv4: 0xcb00_7100 | UInt32(tx), port: 7000)
            let sends = request(victim, UInt64(tx), from: requesterN).sends
            probes += sends.filter { $0.message.request == .dialProbe(nonce: UInt64(tx)) }.count
            busy += sends.filter { $0.message.response == .dialStatus(.busy, observed: requesterN) }.count
        }
        #expect(probes == ReachabilityConfiguration().limits.probesPerTargetNetwork)
        #expect(busy == 38 - probes)
    }
}

/// An ID or key derived from a name.
private func named(_ name: String) -> NodeID {
    NodeID(publicKeyBytes: Array(name.utf8))
}
