import Testing

@testable import Kademlia

@Suite("DHTDatagram round trips")
struct DHTDatagramRoundTripTests {
    @Test("every message type decodes to what was encoded, and encodes back to the same bytes")
    func everyType() throws {
        let datagrams = WireFixtures.all
        #expect(Set(datagrams.map(\.type)) == Set(DHTMessageType.allCases))
        for datagram in datagrams {
            let bytes = try datagram.encoded()
            #expect(bytes.count == datagram.byteCount)
            #expect(bytes.count <= DHTDatagram.maxByteCount)
            let decoded = try DHTDatagram(decoding: bytes)
            #expect(decoded == datagram, "\(datagram.type)")
            #expect(try decoded.encoded() == bytes)
        }
    }

    @Test("the core message comes back with the sender ID derived from the key")
    func coreMessage() throws {
        let key = WireFixtures.key(0x42)
        let senderID = NodeID(publicKeyBytes: key)
        let message = KademliaMessage(
            transactionID: TransactionID(rawValue: 99),
            sender: senderID,
            body: .response(.nodes([WireFixtures.ipv4Contact(1), WireFixtures.ipv6Contact(2)]))
        )
        let bytes = try DHTDatagram.encode(message, senderKey: key, writeToken: [1, 2])
        let decoded = try DHTDatagram.decode(bytes)
        #expect(decoded.message.sender == senderID)
        #expect(decoded.message.transactionID == TransactionID(rawValue: 99))
        #expect(decoded.senderKey == key)
        #expect(decoded.writeToken == [1, 2])
        if case .response(let response) = decoded.message.body {
            #expect(response == .nodes([WireFixtures.ipv4Contact(1), WireFixtures.ipv6Contact(2)]))
        } else {
            Issue.record("not a response")
        }
    }

    @Test("a write token on a type without a token field is not sent")
    func tokenOnlyWhereDefined() throws {
        let ping = WireFixtures.datagram(.request(.ping), token: [1, 2, 3])
        let bytes = try ping.encoded()
        #expect(bytes.count == DHTDatagram.headerByteCount)
        #expect(try DHTDatagram(decoding: bytes).writeToken == [])
    }

    @Test("TTL is whole seconds, clamped to 0 and UInt32.max")
    func ttlSeconds() throws {
        #expect(DHTDatagram.ttlSeconds(.milliseconds(1500)) == 1)
        #expect(DHTDatagram.ttlSeconds(.seconds(-5)) == 0)
        #expect(DHTDatagram.ttlSeconds(.seconds(Int64(UInt32.max) + 10)) == UInt32.max)
        let store = WireFixtures.datagram(.request(.store(WireFixtures.id(1), value: [1], ttl: .milliseconds(2500))))
        let decoded = try DHTDatagram(decoding: try store.encoded())
        #expect(decoded.body.storeTTL == .seconds(2))
    }
}

extension KademliaMessage.Body {
    /// The TTL of a STORE request, for tests.
    fileprivate var storeTTL: Duration? {
        if case .request(.store(_, _, let ttl)) = self { return ttl }
        return nil
    }
}
