@testable import Kademlia

/// Datagrams for the wire codec tests: one of every message type, with IPv4 and IPv6 contacts.
enum WireFixtures {
    /// A sender key whose 32 bytes are all `byte`.
    static func key(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }

    /// An ID whose 32 bytes are all `byte`.
    static func id(_ byte: UInt8) -> NodeID { try! NodeID(bytes: [UInt8](repeating: byte, count: 32)) }

    /// An IPv4 contact `10.0.x.y:4000+index`.
    static func ipv4Contact(_ index: Int) -> Contact {
        Contact(
            id: id(UInt8(truncatingIfNeeded: index + 1)),
            address: NodeAddress(ipv4: 0x0a00_0000 | UInt32(index & 0xffff), port: UInt16(4000 + index))
        )
    }

    /// An IPv6 contact `[2001:db8::index]:5000+index`.
    static func ipv6Contact(_ index: Int) -> Contact {
        Contact(
            id: id(UInt8(truncatingIfNeeded: 0x80 + index)),
            address: NodeAddress(
                host: .ipv6(high: 0x2001_0db8_0000_0000, low: UInt64(index)),
                port: UInt16(5000 + index)
            )
        )
    }

    /// Mixed IPv4 and IPv6 contacts.
    static func mixedContacts(_ count: Int) -> [Contact] {
        (0..<count).map { $0.isMultiple(of: 2) ? ipv4Contact($0) : ipv6Contact($0) }
    }

    /// A datagram with the given body.
    static func datagram(
        _ body: KademliaMessage.Body,
        token: [UInt8] = [],
        tx: UInt64 = 0x0123_4567_89ab_cdef,
        padding: Int = 0,
        client: Bool = false
    )
        -> DHTDatagram
    {
        var signature: [UInt8] = []
        if case .response(.pong) = body { signature = (0..<64).map { UInt8($0 ^ 0xa5) } }
        return DHTDatagram(
            transactionID: TransactionID(rawValue: tx),
            senderKey: key(0x5a),
            body: body,
            writeToken: token,
            signature: signature,
            paddingByteCount: padding,
            isClient: client
        )
    }

    /// At least one datagram of every message type, including edge cases (empty lists, 20 contacts, a 1,024-byte
    /// value, every store outcome).
    static var all: [DHTDatagram] {
        let value1024 = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let token = [UInt8](0..<32)
        return [
            datagram(.request(.ping)),
            datagram(.request(.findNode(id(0x33))), padding: 1),
            datagram(.request(.findNode(id(0x33))), padding: 427 - 75),
            datagram(.request(.getProviders(id(0x55))), padding: 1280 - 75),
            datagram(.request(.findNode(id(0x33)))),
            datagram(.request(.findValue(id(0x44)))),
            datagram(.request(.getProviders(id(0x55)))),
            datagram(.request(.store(id(0x66), value: [1, 2, 3], ttl: .seconds(3600))), token: [9, 8, 7]),
            datagram(.request(.store(id(0x66), value: value1024, ttl: .seconds(86_400))), token: token),
            datagram(.request(.store(id(0x66), value: [], ttl: .seconds(0)))),
            datagram(.request(.addProvider(id(0x77))), token: token),
            datagram(.request(.addProvider(id(0x77)))),
            datagram(.response(.pong)),
            datagram(.response(.nodes([]))),
            datagram(.response(.nodes([ipv4Contact(1)])), token: [1]),
            datagram(.response(.nodes([ipv6Contact(2)])), token: token),
            datagram(.response(.nodes(mixedContacts(20))), token: token),
            datagram(.response(.nodes((0..<20).map(ipv6Contact))), token: token),
            datagram(.response(.values([]))),
            datagram(.response(.values([DHTValue(publisher: id(0x10), data: value1024)]))),
            datagram(.response(.values((0..<16).map { DHTValue(publisher: id(UInt8($0)), data: [UInt8($0)]) }))),
            datagram(.response(.providers([], closer: []))),
            datagram(.response(.providers([ipv4Contact(3)], closer: [ipv6Contact(4)])), token: [0xff]),
            datagram(.response(.providers(mixedContacts(5), closer: mixedContacts(12))), token: token),
            datagram(.response(.stored(.stored))),
            datagram(.response(.stored(.replaced))),
            datagram(.response(.stored(.rejected(.valueTooLarge)))),
            datagram(.response(.stored(.rejected(.keyFull)))),
            datagram(.response(.stored(.rejected(.storeFull)))),
            datagram(.response(.stored(.rejected(.invalidTTL)))),
            datagram(.response(.stored(.rejected(.sourceFull)))),
            datagram(.response(.stored(.rejected(.invalidRecord)))),
            datagram(.response(.stored(.rejected(.outdatedRecord)))),
            datagram(.response(.stored(.rejected(.busy)))),
            datagram(.request(.getRecord(id(0x88)))),
            datagram(.request(.getRecord(id(0x88))), padding: 427 - 75),
            datagram(.request(.putRecord(MutableRecord(routingKey: Array("/ipns/x".utf8), bytes: [1, 2]))), token: token),
            datagram(.request(.putRecord(MutableRecord(routingKey: [UInt8](repeating: 7, count: 64), bytes: value1024)))),
            datagram(.request(.putRecord(MutableRecord(routingKey: [1], bytes: [])))),
            datagram(.response(.record(nil, closer: []))),
            datagram(.response(.record([5, 6, 7], closer: mixedContacts(3))), token: token),
            datagram(.response(.record(nil, closer: mixedContacts(20))), token: [2]),
            datagram(.request(.ping), client: true),
            datagram(.request(.findNode(id(0x33))), padding: 427 - 75, client: true),
            datagram(.request(.dialBack(nonce: 0x0102_0304_0506_0708))),
            datagram(.request(.dialBack(nonce: .max)), client: true),
            datagram(.request(.dialRequest(nonce: 1, target: ipv4Contact(5).address))),
            datagram(.request(.dialRequest(nonce: 0, target: ipv6Contact(6).address))),
            datagram(.request(.dialProbe(nonce: 0xfeed_face_cafe_beef))),
        ] + DialStatus.allCases.map { datagram(.response(.dialStatus($0, observed: ipv4Contact(7).address))) } + [
            datagram(.response(.dialStatus(.probed, observed: ipv6Contact(8).address)))
        ]
    }
}
