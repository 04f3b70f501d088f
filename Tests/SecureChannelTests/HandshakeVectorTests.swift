import DHTCrypto
import SecureChannel
import Testing

/// The byte layout pinned: identities from seeds 0x01…01 (initiator) and 0x02…02 (responder), ephemeral keys
/// 0x65…65 (101) and 0x66…66 (102), ChaCha20-Poly1305, version 1, no swarm key. Any change to the layout, the
/// labels or the key schedule changes these hashes; docs/PROTOCOL.md shows the same values.
@Suite struct HandshakeVectorTests {
    static func run(swarmKey: SwarmKey? = nil) -> HandshakeRun {
        runHandshake(
            initiator: Fixture.configuration(1, swarmKey: swarmKey),
            responder: Fixture.configuration(2, swarmKey: swarmKey)
        )
    }

    @Test func message1Layout() {
        let message = Self.run().message1
        #expect(message.count == 62)
        #expect(Array(message[0..<14]) == [0, 60] + Array("swiftdht".utf8) + [1, 1, 1, 1])
        #expect(Array(message[14..<46]) == Fixture.ephemeral(101).publicKey.bytes)
    }

    @Test func message2Layout() {
        let message = Self.run().message2
        #expect(message.count == 148)
        #expect(Array(message[0..<4]) == [0, 146, 1, 1])
        #expect(Array(message[4..<36]) == Fixture.ephemeral(102).publicKey.bytes)
    }

    @Test func openNetworkVector() throws {
        let run = Self.run()
        var sealer = try #require(run.initiator.session).sealer
        let frame = try sealer.seal(Array("swift-dht".utf8))
        let vector = [
            SHA256.hash(run.message1).description,
            SHA256.hash(run.message2).description,
            SHA256.hash(run.message3).description,
            Hex.encode(try #require(run.initiator.session).transcriptHash),
            Hex.encode(frame),
        ]
        #expect(vector == OpenVector.values, "\(vector)")
    }

    @Test func swarmVector() throws {
        let run = Self.run(swarmKey: try SwarmKey(bytes: [UInt8](repeating: 0x5a, count: 32)))
        let vector = [
            SHA256.hash(run.message1).description,
            SHA256.hash(run.message2).description,
            SHA256.hash(run.message3).description,
        ]
        #expect(vector == SwarmVector.values, "\(vector)")
    }
}

/// SHA-256 of messages 1, 2 and 3, the transcript hash, and the initiator's first frame (`swift-dht`). An
/// independent implementation in Python (`cryptography`) from docs/PROTOCOL.md gives the same values.
enum OpenVector {
    static let values = [
        "8ee1c7c1a848808c1376c35c9d1ee4f8041d6f09b81713706ebfbfbb1c515829",
        "0ab3ece8167dbeb7cecafc3547573ee698de2f4dd68d3f2cc8c1c44ebf495afc",
        "89858b538cba0073d1bccd18b09e9b8438588cb128c7d793a5b8d544ee8d9898",
        "fa6133e27f4b6565b4e0aeafebd2deca019bfc8d8e3e65a4275368d003539ee1",
        "000000194a1061180c080a62e9afb0c427f2bf8f862f1323698ead3c85",
    ]
}

/// SHA-256 of messages 1, 2 and 3 with the swarm key `5a…5a`.
enum SwarmVector {
    static let values = [
        "8041c932778590f72efdf4e7d0d3b857ef665a4726384b18e25535044fc5163a",
        "8d979eecc4950b8ecdac1c3571aeed660cab05b57d68a262342256ad54d632d2",
        "177c6f79047501aaab794dd7708445a3c78a0eedb8dfbe35043b6c233452c9bd",
    ]
}
