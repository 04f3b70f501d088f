import Testing

@testable import Kademlia

@Suite("DHTDatagram relay lists and relayed providers")
struct DHTDatagramRelayTests {
    let header: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88] + WireFixtures.key(0x22)
    let key = TestIDs.filled(0x33)
    let relay = NodeAddress(ipv4: 0x0a02_0001, port: 4001)

    func datagram(_ body: KademliaMessage.Body, token: [UInt8] = []) -> DHTDatagram {
        DHTDatagram(
            transactionID: TransactionID(rawValue: 0x1122_3344_5566_7788), senderKey: WireFixtures.key(0x22),
            body: body, writeToken: token)
    }

    func error(_ bytes: [UInt8]) -> DHTDatagramError? {
        do {
            _ = try DHTDatagram(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("ADD_PROVIDER: key, token, relay count, relays (77 bytes without relays, 84 with one IPv4 relay)")
    func addProviderBytes() throws {
        let none: [UInt8] = [0x01, 0x06, 0x00] + header + key.bytes + [0x00] + [0x00]
        #expect(none.count == 77)
        #expect(try datagram(.request(.addProvider(key))).encoded() == none)
        #expect(try DHTDatagram(decoding: none) == datagram(.request(.addProvider(key))))
        let one: [UInt8] = [0x01, 0x06, 0x00] + header + key.bytes + [0x02, 0xaa, 0xbb] + [0x01, 4, 10, 2, 0, 1, 0x0f, 0xa1]
        let expected = datagram(.request(.addProvider(key, relays: [relay])), token: [0xaa, 0xbb])
        #expect(try expected.encoded() == one)
        #expect(try DHTDatagram(decoding: one) == expected)
        #expect(expected.byteCount == one.count)
    }

    @Test("more than two relays, a relayed family in a relay list: typed errors")
    func addProviderErrors() {
        let three: [UInt8] = [0x01, 0x06, 0x00] + header + key.bytes + [0x00] + [0x03]
        #expect(error(three) == .tooManyRelays(3, offset: 76))
        #expect(DHTDatagramError.tooManyRelays(3, offset: 76).reason == "too-many-relays")
        let relayedFamily: [UInt8] = [0x01, 0x06, 0x00] + header + key.bytes + [0x00] + [0x01, 0x14, 10, 2, 0, 1, 0x0f, 0xa1]
        #expect(error(relayedFamily) == .badAddressFamily(0x14, offset: 77))
        let tooMany = datagram(.request(.addProvider(key, relays: [relay, relay, relay])))
        #expect(throws: DHTDatagramEncodingError.tooManyRelays(3)) { try tooMany.encoded() }
    }

    @Test("PROVIDERS: a relayed provider's family has 0x10 added; closer contacts may not be relayed")
    func relayedProviders() throws {
        let provider = Contact(id: TestIDs.filled(0x44), address: relay, relayed: true)
        let reply = datagram(.response(.providers([provider], closer: [])))
        let bytes = try reply.encoded()
        #expect(Array(bytes[44...]) == [0x01] + provider.id.bytes + [0x14, 10, 2, 0, 1, 0x0f, 0xa1] + [0x00])
        #expect(try DHTDatagram(decoding: bytes) == reply)
        // The same contact in the closer list, or in NODES, is refused.
        let closer = try datagram(.response(.providers([], closer: [provider]))).encoded()
        #expect(error(closer) == .badAddressFamily(0x14, offset: 78))
        let nodes = try datagram(.response(.nodes([provider]))).encoded()
        #expect(error(nodes) == .badAddressFamily(0x14, offset: 77))
    }
}
