import Testing

@testable import Kademlia

@Suite("DHTDatagram cut to fit")
struct DHTDatagramFitTests {
    let token = [UInt8](repeating: 0xee, count: 32)

    @Test("a NODES reply with 20 IPv6 contacts and a 32-byte token fits whole in 1,280 bytes")
    func twentyIPv6Fit() throws {
        let contacts = (0..<20).map(WireFixtures.ipv6Contact)
        #expect(DHTDatagram.contactsFittingNodesReply(contacts) == 20)
        let reply = WireFixtures.datagram(.response(.nodes(contacts)), token: token)
        let bytes = try reply.encoded()
        #expect(bytes.count == 43 + 33 + 1 + 20 * 51)
        #expect(bytes.count <= 1280)
        #expect(try DHTDatagram(decoding: bytes) == reply)
    }

    @Test("more than k contacts are cut to k")
    func cutToK() throws {
        let contacts = (0..<25).map(WireFixtures.ipv4Contact)
        #expect(DHTDatagram.contactsFittingNodesReply(contacts) == 20)
        let reply = WireFixtures.datagram(.response(.nodes(contacts)), token: token)
        let decoded = try DHTDatagram(decoding: try reply.encoded())
        #expect(decoded.body == .response(.nodes(Array(contacts.prefix(20)))))
    }

    @Test("a smaller budget (3x a FIND_NODE request) cuts NODES and says how many went in")
    func smallerBudget() throws {
        let request = try WireFixtures.datagram(.request(.findNode(WireFixtures.id(1)))).encoded()
        #expect(request.count == 75)
        let budget = 3 * request.count
        let contacts = (0..<20).map(WireFixtures.ipv6Contact)
        let count = DHTDatagram.contactsFittingNodesReply(contacts, maxByteCount: budget)
        #expect(count == (budget - 43 - 33 - 1) / 51)
        let reply = WireFixtures.datagram(.response(.nodes(contacts)), token: token)
        let bytes = try reply.encoded(maxByteCount: budget)
        #expect(bytes.count <= budget)
        #expect(try DHTDatagram(decoding: bytes) == reply.fitted(maxByteCount: budget))
        #expect(reply.fitted(maxByteCount: budget).body == .response(.nodes(Array(contacts.prefix(count)))))
    }

    @Test("PROVIDERS keeps providers first, closer contacts fill what remains")
    func providersCut() throws {
        let providers = (0..<20).map(WireFixtures.ipv6Contact)
        let closer = (20..<40).map(WireFixtures.ipv6Contact)
        let reply = WireFixtures.datagram(.response(.providers(providers, closer: closer)), token: token)
        #expect(reply.byteCount > 1280)
        let fitted = reply.fitted()
        let remaining = 1280 - 43 - 33 - 2 - 20 * 51
        #expect(fitted.body == .response(.providers(providers, closer: Array(closer.prefix(remaining / 51)))))
        let bytes = try reply.encoded()
        #expect(bytes.count == fitted.byteCount)
        #expect(bytes.count <= 1280)
        #expect(try DHTDatagram(decoding: bytes) == fitted)
    }

    @Test("VALUES keeps the values that fit, in order")
    func valuesCut() throws {
        let values = (0..<16).map {
            DHTValue(publisher: WireFixtures.id(UInt8($0)), data: [UInt8](repeating: 1, count: 1024))
        }
        let reply = WireFixtures.datagram(.response(.values(values)))
        let bytes = try reply.encoded()
        #expect(bytes.count <= 1280)
        #expect(try DHTDatagram(decoding: bytes).body == .response(.values([values[0]])))
    }

    @Test("encoding refuses what a receiver would reject and cutting cannot fix")
    func encodingErrors() {
        #expect(throws: DHTDatagramEncodingError.senderKeyLength(31)) {
            try DHTDatagram(
                transactionID: .init(rawValue: 1),
                senderKey: [UInt8](repeating: 0, count: 31),
                body: .request(.ping)
            ).encoded()
        }
        #expect(throws: DHTDatagramEncodingError.writeTokenTooLong(33)) {
            try WireFixtures.datagram(
                .request(.addProvider(WireFixtures.id(1))),
                token: [UInt8](repeating: 0, count: 33)
            ).encoded()
        }
        #expect(throws: DHTDatagramEncodingError.valueTooLarge(1025)) {
            try WireFixtures.datagram(
                .request(.store(WireFixtures.id(1), value: [UInt8](repeating: 0, count: 1025), ttl: .seconds(1)))
            ).encoded()
        }
        let zero = Contact(id: WireFixtures.id(1), address: NodeAddress(ipv4: 1, port: 0))
        #expect(throws: DHTDatagramEncodingError.zeroPort(zero)) {
            try WireFixtures.datagram(.response(.nodes([zero]))).encoded()
        }
    }
}

extension KademliaMessage.Body {
    /// Compares bodies in tests (the core's `Body` is not `Equatable`).
    fileprivate static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.request(let a), .request(let b)): a == b
        case (.response(let a), .response(let b)): a == b
        default: false
        }
    }
}
