import Testing

@testable import Kademlia

@Suite("Contact admission")
struct ContactAdmissionTests {
    let t0 = DHTInstant.seconds(1)

    static var afterPong: KademliaConfiguration {
        var configuration = KademliaConfiguration()
        configuration.admission = .afterPong
        return configuration
    }

    @Test("the default admits after any response")
    func defaultIsAfterAnyResponse() {
        #expect(KademliaConfiguration().admission == .afterAnyResponse)
    }

    @Test("with .afterPong a network converges and lookups return the true k closest")
    func networkConverges() throws {
        var network = TestNetwork.bootstrapped(count: 30, configuration: Self.afterPong, seed: 7)
        for node in network.nodes.indices {
            #expect(network.nodes[node].routingTable.count >= 20, "node \(node)")
            #expect(network.nodes[node].pendingRequestCount == 0)
        }
        var random = SeededRandom(seed: 99)
        for round in 0..<20 {
            let initiator = Int.random(in: 0..<30, using: &random)
            let target = NodeID.random(using: &random)
            let operation = network.command(initiator) { $0.findNode(target, now: $1) }
            network.runUntilIdle()
            let result = try #require(network.result(initiator, operation)?.lookup)
            #expect(result.outcome == .converged)
            #expect(result.closest.map(\.id) == network.trueClosest(to: target, count: 20, excluding: initiator), "round \(round)")
        }
    }

    @Test("a responder that answered FIND_NODE enters only when it answers the verification ping")
    func findNodeAnswerStartsVerification() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: Self.afterPong, seed: 1, now: t0)
        let seed = Contact(id: TestIDs.filled(0x80), address: TestIDs.address(8))
        let learned = Contact(id: TestIDs.filled(0x40), address: TestIDs.address(9))
        let (_, started) = instance.bootstrap(from: [seed.address], now: t0)
        let query = try #require(started.sends.first)

        // The seed's NODES answer is used by the join (the learned contact is asked next), but admits nobody: a
        // verification ping goes to the seed.
        let answer = KademliaMessage(transactionID: query.message.transactionID, sender: seed.id, body: .response(.nodes([learned])))
        let directives = instance.handleMessage(answer, from: seed.address, now: t0 + .milliseconds(20))
        #expect(!instance.routingTable.contains(seed.id))
        let pings = directives.sends.filter { $0.message.request == .ping }
        #expect(pings.map(\.to) == [seed.address])
        #expect(directives.sends.contains { $0.to == learned.address && $0.message.request == .findNode(instance.localID) })

        // The pong admits it.
        let ping = try #require(pings.first)
        let pong = KademliaMessage(transactionID: ping.message.transactionID, sender: seed.id, body: .response(.pong))
        _ = instance.handleMessage(pong, from: seed.address, now: t0 + .milliseconds(40))
        #expect(instance.routingTable.contains(seed.id))
        #expect(instance.routingTable.entry(for: seed.id)?.contact.address == seed.address)
    }

    @Test("with the default, the same FIND_NODE answer admits at once and pings nobody")
    func defaultAdmitsAtOnce() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let seed = Contact(id: TestIDs.filled(0x80), address: TestIDs.address(8))
        let (_, started) = instance.bootstrap(from: [seed.address], now: t0)
        let query = try #require(started.sends.first)
        let answer = KademliaMessage(transactionID: query.message.transactionID, sender: seed.id, body: .response(.nodes([])))
        let directives = instance.handleMessage(answer, from: seed.address, now: t0 + .milliseconds(20))
        #expect(instance.routingTable.contains(seed.id))
        #expect(!directives.sends.contains { $0.message.request == .ping })
    }

    @Test("a node that answers lookups but never pings never enters")
    func silentToPingsNeverEnters() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: Self.afterPong, seed: 1, now: t0)
        let deaf = Contact(id: TestIDs.filled(0x80), address: TestIDs.address(8))
        var now = t0
        for round in 0..<3 {
            // It answers every FIND_NODE of ours...
            let (_, started) = instance.bootstrap(from: [deaf.address], now: now)
            let query = try #require(started.sends.first { $0.to == deaf.address })
            let answer = KademliaMessage(transactionID: query.message.transactionID, sender: deaf.id, body: .response(.nodes([])))
            now = now + .milliseconds(20)
            var directives = instance.handleMessage(answer, from: deaf.address, now: now)
            #expect(!instance.routingTable.contains(deaf.id), "round \(round)")
            // ...but none of the verification pings (each sent pingAttempts times).
            var pingsSent = 0
            while let ping = directives.sends.first(where: { $0.message.request == .ping }) {
                pingsSent += 1
                let timeout = try #require(directives.timeouts.first { $0.0 == ping.message.transactionID })
                now = max(now, timeout.1)
                directives = instance.handleTimeout(timeout.0, now: now)
            }
            #expect(pingsSent == KademliaConfiguration().pingAttempts, "round \(round)")
            #expect(!instance.routingTable.contains(deaf.id), "round \(round)")
        }
        #expect(instance.routingTable.count == 0)
    }

    @Test("contacts already in the table are refreshed by any response")
    func knownContactsObserved() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: Self.afterPong, seed: 1, now: t0)
        let known = Contact(id: TestIDs.filled(0x80), address: TestIDs.address(8))
        instance.restore(known, now: t0)
        #expect(instance.routingTable.contains(known.id))
        let (_, started) = instance.findNode(TestIDs.filled(0x81), now: t0 + .seconds(10))
        let query = try #require(started.sends.first)
        let answer = KademliaMessage(transactionID: query.message.transactionID, sender: known.id, body: .response(.nodes([])))
        let directives = instance.handleMessage(answer, from: known.address, now: t0 + .seconds(10) + .milliseconds(30))
        #expect(!directives.sends.contains { $0.message.request == .ping })
        let entry = try #require(instance.routingTable.entry(for: known.id))
        #expect(entry.rtt.hasSample)
    }
}
