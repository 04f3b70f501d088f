import Testing

@testable import Kademlia

/// Byte vectors written out by hand from docs/PROTOCOL.md: they pin the layout.
@Suite("DHTDatagram golden bytes")
struct DHTDatagramGoldenTests {
    static let pingBytes: [UInt8] =
        [0x01, 0x01, 0x00]  // version 1, PING, no flags
        + [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]  // transaction ID
        + [UInt8](repeating: 0x11, count: 32)  // sender key

    static let nodesBytes: [UInt8] =
        [0x01, 0x82, 0x00]  // version 1, NODES, no flags
        + [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]  // transaction ID
        + [UInt8](repeating: 0x22, count: 32)  // sender key
        + [0x04, 0xde, 0xad, 0xbe, 0xef]  // token: length 4, bytes
        + [0x02]  // two contacts
        + [UInt8](repeating: 0x01, count: 32)  // contact 1: ID
        + [0x04, 0x0a, 0x00, 0x00, 0x01]  // IPv4 10.0.0.1
        + [0x0f, 0xa0]  // port 4000
        + [UInt8](repeating: 0x02, count: 32)  // contact 2: ID
        + [0x06, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]  // IPv6 2001:db8::1
        + [0xff, 0xff]  // port 65535

    static let ping = DHTDatagram(
        transactionID: TransactionID(rawValue: 0x0102_0304_0506_0708),
        senderKey: [UInt8](repeating: 0x11, count: 32),
        body: .request(.ping)
    )

    static let nodes = DHTDatagram(
        transactionID: TransactionID(rawValue: 0x1122_3344_5566_7788),
        senderKey: [UInt8](repeating: 0x22, count: 32),
        body: .response(
            .nodes([
                Contact(id: WireFixtures.id(0x01), address: NodeAddress(ipv4: 0x0a00_0001, port: 4000)),
                Contact(
                    id: WireFixtures.id(0x02),
                    address: NodeAddress(host: .ipv6(high: 0x2001_0db8_0000_0000, low: 1), port: 65535)
                ),
            ])
        ),
        writeToken: [0xde, 0xad, 0xbe, 0xef]
    )

    @Test("PING is 43 bytes: version, type, flags, transaction ID, sender key")
    func pingBytes() throws {
        #expect(Self.pingBytes.count == 43)
        #expect(try Self.ping.encoded() == Self.pingBytes)
        #expect(try DHTDatagram(decoding: Self.pingBytes) == Self.ping)
    }

    @Test("NODES with a token, an IPv4 and an IPv6 contact")
    func nodesBytes() throws {
        #expect(Self.nodesBytes.count == 43 + 5 + 1 + 39 + 51)
        #expect(try Self.nodes.encoded() == Self.nodesBytes)
        #expect(try DHTDatagram(decoding: Self.nodesBytes) == Self.nodes)
    }

    @Test("type codes: requests without the high bit, responses with it")
    func typeCodes() {
        let codes: [DHTMessageType: UInt8] = [
            .ping: 0x01, .findNode: 0x02, .findValue: 0x03, .getProviders: 0x04, .store: 0x05, .addProvider: 0x06,
            .putRecord: 0x07, .getRecord: 0x08, .dialBack: 0x09, .dialRequest: 0x0A, .dialProbe: 0x0B,
            .pong: 0x81, .nodes: 0x82, .values: 0x83, .providers: 0x84, .stored: 0x85, .record: 0x86,
            .dialStatus: 0x87,
        ]
        for type in DHTMessageType.allCases {
            #expect(type.rawValue == codes[type])
            #expect(type.isResponse == (type.rawValue >= 0x80))
        }
    }

    @Test("STORE: key, token, TTL, value length, value")
    func storeBytes() throws {
        let store = DHTDatagram(
            transactionID: TransactionID(rawValue: 1),
            senderKey: WireFixtures.key(0x33),
            body: .request(.store(WireFixtures.id(0x44), value: [0xaa, 0xbb], ttl: .seconds(3600))),
            writeToken: [0x07]
        )
        let expected: [UInt8] =
            [0x01, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 1] + WireFixtures.key(0x33)
            + [UInt8](repeating: 0x44, count: 32)  // key
            + [0x01, 0x07]  // token
            + [0x00, 0x00, 0x0e, 0x10]  // TTL 3600 s
            + [0x00, 0x02, 0xaa, 0xbb]  // value
        #expect(try store.encoded() == expected)
    }

    @Test("PUT_RECORD: routing key length, routing key, token, record length, record")
    func putRecordBytes() throws {
        let put = DHTDatagram(
            transactionID: TransactionID(rawValue: 1),
            senderKey: WireFixtures.key(0x33),
            body: .request(.putRecord(MutableRecord(routingKey: [0x2f, 0x69], bytes: [0xaa, 0xbb, 0xcc]))),
            writeToken: [0x07, 0x08]
        )
        let expected: [UInt8] =
            [0x01, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 1] + WireFixtures.key(0x33)
            + [0x02, 0x2f, 0x69]  // routing key
            + [0x02, 0x07, 0x08]  // token
            + [0x00, 0x03, 0xaa, 0xbb, 0xcc]  // record
        #expect(try put.encoded() == expected)
    }

    @Test("RECORD: token, record length (0 for none), record, closer contacts")
    func recordBytes() throws {
        let contact = WireFixtures.ipv4Contact(1)
        let reply = DHTDatagram(
            transactionID: TransactionID(rawValue: 2),
            senderKey: WireFixtures.key(0x33),
            body: .response(.record([0xee], closer: [contact])),
            writeToken: [0x09]
        )
        let bytes = try reply.encoded()
        #expect(bytes[1] == 0x86)
        #expect(Array(bytes[43..<48]) == [0x01, 0x09, 0x00, 0x01, 0xee])
        #expect(bytes[48] == 1)
        #expect(bytes.count == 49 + DHTDatagram.byteCount(of: contact))
        let none = try DHTDatagram(
            transactionID: TransactionID(rawValue: 2), senderKey: WireFixtures.key(0x33),
            body: .response(.record(nil, closer: []))
        ).encoded()
        #expect(Array(none[43...]) == [0x00, 0x00, 0x00, 0x00])
        guard case .response(.record(nil, let closer)) = try DHTDatagram(decoding: none).body else {
            Issue.record("not an empty RECORD")
            return
        }
        #expect(closer.isEmpty)
    }

    @Test("a PUT_RECORD routing key of 0 or 65 bytes is refused, on both sides")
    func routingKeyLength() throws {
        for length in [0, 65] {
            let put = DHTDatagram(
                transactionID: TransactionID(rawValue: 1), senderKey: WireFixtures.key(0x33),
                body: .request(.putRecord(MutableRecord(routingKey: [UInt8](repeating: 1, count: length), bytes: [1])))
            )
            #expect(throws: DHTDatagramEncodingError.routingKeyLength(length)) { try put.encoded() }
            var bytes: [UInt8] = [0x01, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 1] + WireFixtures.key(0x33)
            bytes += [UInt8(length)] + [UInt8](repeating: 1, count: length) + [0x00, 0x00, 0x01, 0x01]
            #expect(throws: DHTDatagramError.badRoutingKeyLength(length, offset: 43)) { try DHTDatagram(decoding: bytes) }
        }
    }

    @Test("a RECORD keeps its record whole and cuts the contacts to fit")
    func recordReplyFits() throws {
        let record = [UInt8](repeating: 0x5a, count: 900)
        let reply = DHTDatagram(
            transactionID: TransactionID(rawValue: 2), senderKey: WireFixtures.key(0x33),
            body: .response(.record(record, closer: WireFixtures.mixedContacts(20))), writeToken: [UInt8](0..<32)
        )
        let bytes = try reply.encoded()
        #expect(bytes.count <= DHTDatagram.maxByteCount)
        guard case .response(.record(let kept, let closer)) = try DHTDatagram(decoding: bytes).body else {
            Issue.record("not a RECORD")
            return
        }
        #expect(kept == record)
        #expect(closer.count < 20 && closer.count > 0)
    }

    @Test("STORED outcome codes")
    func storedCodes() throws {
        let cases: [(StoreOutcome, UInt8)] = [
            (.stored, 0x00), (.replaced, 0x01), (.rejected(.valueTooLarge), 0x10), (.rejected(.keyFull), 0x11),
            (.rejected(.storeFull), 0x12), (.rejected(.invalidTTL), 0x13), (.rejected(.sourceFull), 0x14),
            (.rejected(.notClosest), 0x15), (.rejected(.networkFull), 0x16), (.rejected(.invalidRecord), 0x17),
            (.rejected(.outdatedRecord), 0x18), (.rejected(.busy), 0x19),
        ]
        for (outcome, code) in cases {
            let bytes = try WireFixtures.datagram(.response(.stored(outcome))).encoded()
            #expect(bytes.count == 44)
            #expect(bytes[43] == code)
        }
    }
}
