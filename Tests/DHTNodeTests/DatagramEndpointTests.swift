import DHTCrypto
import Kademlia
import Testing

@testable import DHTNode

@Suite("DatagramEndpoint")
struct DatagramEndpointTests {
    /// A FIND_NODE datagram from `key` with transaction `tx`, unpadded.
    func findNode(_ target: NodeID, key: [UInt8], tx: UInt64 = 7) throws -> [UInt8] {
        try DHTDatagram(transactionID: TransactionID(rawValue: tx), senderKey: key, body: .request(.findNode(target)))
            .encoded()
    }

    func replies(_ outputs: [EndpointOutput]) -> [[UInt8]] {
        outputs.compactMap { if case .datagram(let bytes, _) = $0 { bytes } else { nil } }
    }

    @Test("a ping is answered with a PONG whose signature verifies; the pinger admits the ponger")
    func signedPong() throws {
        var network = EndpointNetwork()
        let a = network.add(1)
        let b = network.add(2)
        let result = network.perform(at: a) { core, now in core.ping(b, now: now) }
        guard case .ping(let contact?, _) = result else { Issue.record("no pong: \(String(describing: result))"); return }
        #expect(contact.id == network.endpoints[b]!.core.localID)
        #expect(network.endpoints[a]!.core.routingTable.contains(contact.id))
        let pong = try DHTDatagram(decoding: network.sent.first { $0.from == b }!.bytes)
        #expect(pong.signature.count == 64)
    }

    @Test("a PONG with a forged signature is dropped and counted; the contact stays out")
    func forgedSignature() throws {
        var network = EndpointNetwork()
        let a = network.add(1)
        let b = network.add(2)
        // Deliver A's ping to B by hand, corrupt B's pong, hand it to A.
        let now = network.now
        let (_, outputs) = network.endpoints[a]!.perform({ $0.ping(b, now: now) }, now: now)
        let ping = replies(outputs)[0]
        let pongBytes = replies(network.endpoints[b]!.receive(ping, from: a, now: now))[0]
        var forged = try DHTDatagram(decoding: pongBytes)
        forged.signature[10] ^= 0x01
        _ = network.endpoints[a]!.receive(try forged.encoded(), from: b, now: now)
        #expect(network.endpoints[a]!.statistics.dropped[.badSignature] == 1)
        #expect(network.endpoints[a]!.core.routingTable.count == 0)
        // The genuine pong still counts.
        _ = network.endpoints[a]!.receive(pongBytes, from: b, now: now)
        #expect(network.endpoints[a]!.core.routingTable.count == 1)
    }

    @Test("an answer from another key than the node asked is dropped as wrong-key")
    func wrongKey() throws {
        var network = EndpointNetwork()
        let a = network.add(1)
        let b = network.add(2)
        _ = network.perform(at: a) { core, now in core.ping(b, now: now) }
        let bID = network.endpoints[b]!.core.localID
        // A now knows B; ask B something, answer with another key from B's address.
        let now = network.now
        let (_, outputs) = network.endpoints[a]!.perform({ $0.findNode(NodeID.zero, now: now) }, now: now)
        let request = try DHTDatagram(decoding: replies(outputs)[0])
        let impostor = NodeIdentity.generate()
        let answer = DHTDatagram(
            transactionID: request.transactionID,
            senderKey: impostor.publicKey.bytes,
            body: .response(.nodes([]))
        )
        _ = network.endpoints[a]!.receive(try answer.encoded(), from: b, now: now)
        #expect(network.endpoints[a]!.statistics.dropped[.wrongKey] == 1)
        #expect(network.endpoints[a]!.core.routingTable.contains(bID))
    }

    @Test("a replayed request is dropped; a new transaction ID is answered")
    func replay() throws {
        var network = EndpointNetwork()
        let b = network.add(2)
        let key = NodeIdentity.generate().publicKey.bytes
        let request = try findNode(NodeID.zero, key: key, tx: 42)
        let source = EndpointNetwork.address(9)
        #expect(replies(network.endpoints[b]!.receive(request, from: source, now: network.now)).count >= 1)
        #expect(replies(network.endpoints[b]!.receive(request, from: source, now: network.now)).isEmpty)
        #expect(network.endpoints[b]!.statistics.dropped[.replayed] == 1)
        let fresh = try findNode(NodeID.zero, key: key, tx: 43)
        #expect(replies(network.endpoints[b]!.receive(fresh, from: source, now: network.now)).count >= 1)
    }

    @Test("truncated, oversized, wrong-version and malformed datagrams are dropped by reason")
    func badBytes() throws {
        var network = EndpointNetwork()
        let b = network.add(2)
        let source = EndpointNetwork.address(9)
        let valid = try findNode(NodeID.zero, key: NodeIdentity.generate().publicKey.bytes)
        var wrongVersion = valid
        wrongVersion[0] = 2
        var badType = valid
        badType[1] = 0x7f
        for bytes in [Array(valid.prefix(20)), [UInt8](repeating: 0, count: 1400), wrongVersion, badType, []] {
            #expect(network.endpoints[b]!.receive(bytes, from: source, now: network.now).isEmpty)
        }
        let dropped = network.endpoints[b]!.statistics.dropped
        #expect(dropped[.truncated] == 2)
        #expect(dropped[.oversized] == 1)
        #expect(dropped[.wrongVersion] == 1)
        #expect(dropped[.malformed] == 1)
    }

    @Test("STORE needs the write token from an earlier NODES reply to the same address")
    func writeTokens() throws {
        var network = EndpointNetwork()
        let a = network.add(1)
        let b = network.add(2)
        let key = NodeID(naming: "greeting")
        // A put through the endpoints: the lookup's NODES replies carry B's token, the STORE presents it.
        _ = network.perform(at: a) { core, now in core.ping(b, now: now) }
        let result = network.perform(at: a) { core, now in core.put(key, value: [1, 2, 3], ttl: .seconds(60), now: now) }
        guard case .published(_, let accepted, _) = result else { Issue.record("\(String(describing: result))"); return }
        #expect(accepted == 1)
        #expect(network.endpoints[b]!.core.values.count == 1)

        // A STORE with no token, or a token for another address, is dropped.
        let sender = NodeIdentity.generate().publicKey.bytes
        let forged = DHTDatagram(
            transactionID: TransactionID(rawValue: 99),
            senderKey: sender,
            body: .request(.store(key, value: [9], ttl: .seconds(60))),
            writeToken: [UInt8](repeating: 0, count: 16)
        )
        #expect(network.endpoints[b]!.receive(try forged.encoded(), from: EndpointNetwork.address(9), now: network.now).isEmpty)
        #expect(network.endpoints[b]!.statistics.dropped[.badToken] == 1)
        #expect(network.endpoints[b]!.core.values.count == 1)
    }

    @Test("a reply to an unproven address is at most 3x the request; padded requests get full replies")
    func amplification() throws {
        var network = EndpointNetwork()
        let b = network.add(2)
        // Fill B's table so a NODES reply could hold 20 contacts.
        for index in 10..<60 { _ = network.add(index) }
        for index in 10..<60 {
            _ = network.perform(at: b) { core, now in core.ping(EndpointNetwork.address(index), now: now) }
        }
        #expect(network.endpoints[b]!.core.routingTable.count >= 20)
        let key = NodeIdentity.generate().publicKey.bytes
        let source = EndpointNetwork.address(200)
        let plain = try findNode(NodeID.zero, key: key, tx: 1)
        let cut = replies(network.endpoints[b]!.receive(plain, from: source, now: network.now))
        #expect(cut[0].count <= 3 * plain.count)
        #expect(network.endpoints[b]!.statistics.repliesCutForAmplification == 1)

        var padded = try DHTDatagram(decoding: plain)
        padded.transactionID = TransactionID(rawValue: 2)
        padded.paddingByteCount = DatagramEndpoint.paddedLookupRequestByteCount - plain.count
        let paddedBytes = try padded.encoded()
        let full = replies(network.endpoints[b]!.receive(paddedBytes, from: source, now: network.now))
        guard case .response(.nodes(let contacts)) = try DHTDatagram(decoding: full[0]).body else {
            Issue.record("no NODES reply")
            return
        }
        #expect(contacts.count == 20)
        #expect(full[0].count <= 3 * paddedBytes.count)
    }

    @Test("one source past its request burst is rate limited; another source is not")
    func perSourceRate() throws {
        var limits = AbuseLimits()
        limits.requestsPerSecondPerSource = 10
        limits.requestBurstPerSource = 20
        var network = EndpointNetwork()
        let b = network.add(2, limits: limits)
        let key = NodeIdentity.generate().publicKey.bytes
        var answered = 0
        for tx in 0..<50 {
            let request = try findNode(NodeID.zero, key: key, tx: UInt64(tx))
            if !replies(network.endpoints[b]!.receive(request, from: EndpointNetwork.address(9), now: network.now)).isEmpty {
                answered += 1
            }
        }
        #expect(answered == 20)
        #expect(network.endpoints[b]!.statistics.dropped[.sourceRateLimited] == 30)
        let other = try findNode(NodeID.zero, key: key, tx: 1000)
        #expect(!replies(network.endpoints[b]!.receive(other, from: EndpointNetwork.address(10), now: network.now)).isEmpty)
        // Half a second later the bucket has five tokens again.
        network.now = network.now + .milliseconds(500)
        let later = try findNode(NodeID.zero, key: key, tx: 2000)
        #expect(!replies(network.endpoints[b]!.receive(later, from: EndpointNetwork.address(9), now: network.now)).isEmpty)
    }

    @Test("wire transaction IDs are a permutation of the core's, not the core's")
    func transactionIDCipher() {
        let cipher = TransactionIDCipher(key: [UInt8](repeating: 3, count: 16))
        var seen = Set<UInt64>()
        for raw in UInt64(0)..<1000 {
            let wire = cipher.encrypt(TransactionID(rawValue: raw))
            #expect(cipher.decrypt(wire).rawValue == raw)
            seen.insert(wire.rawValue)
        }
        #expect(seen.count == 1000)
        #expect(cipher.encrypt(TransactionID(rawValue: 1)).rawValue != 1)
    }

    @Test("bounded tables: 100,000 requests from 100,000 sources keep every table at its cap")
    func boundedUnderFlood() throws {
        var limits = AbuseLimits()
        limits.trackedSources = 1000
        limits.replayWindowEntries = 2000
        var network = EndpointNetwork()
        let b = network.add(2, limits: limits)
        let key = NodeIdentity.generate().publicKey.bytes
        let request = try findNode(NodeID.zero, key: key)
        for index in 0..<100_000 {
            var bytes = request
            bytes[10] = UInt8(truncatingIfNeeded: index)
            bytes[9] = UInt8(truncatingIfNeeded: index >> 8)
            bytes[8] = UInt8(truncatingIfNeeded: index >> 16)
            _ = network.endpoints[b]!.receive(bytes, from: EndpointNetwork.address(1000 + index), now: network.now)
        }
        #expect(network.endpoints[b]!.trackedSourceCount <= 1000)
        #expect(network.endpoints[b]!.core.pendingRequestCount <= KademliaConfiguration().maxVerifications)
    }
}
