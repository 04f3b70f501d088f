import Kademlia
import Testing

@testable import Relay

@Suite struct RelayMessageTests {
    static let address = NodeAddress(ipv4: 0x0a00_0001, port: 4001)
    static let ipv6 = NodeAddress(host: .ipv6(high: 0x2001_0db8_0000_0000, low: 1), port: 65535)

    @Test(arguments: [
        RelayMessage.reserve(publicKey: Array(repeating: 1, count: 32)),
        .challenge(nonce: Array(repeating: 2, count: 32)),
        .proof(signature: Array(repeating: 3, count: 64)),
        .reserved(.ok, lifetimeSeconds: 120, limits: RelayCircuitLimits(bytes: 1 << 27, seconds: 600), observed: address),
        .reserved(.ok, lifetimeSeconds: 120, limits: RelayCircuitLimits(bytes: 5, seconds: 6), observed: ipv6),
        .reserved(.busy, lifetimeSeconds: 0, limits: .none, observed: nil),
        .renew,
        .connect(target: try! NodeID(bytes: Array(repeating: 7, count: 32))),
        .incoming(token: Array(repeating: 4, count: 16), from: address),
        .incoming(token: Array(repeating: 4, count: 16), from: ipv6),
        .accept(token: Array(repeating: 5, count: 16)),
        .circuit(.timedOut, limits: .none),
        .probe(nonce: 0x0102_0304_0506_0708),
    ])
    func roundTrips(_ message: RelayMessage) throws {
        var reader = RelayMessageReader()
        let bytes = message.encoded()
        #expect(bytes.count - 2 <= RelayMessage.maxBodyByteCount)
        #expect(RelayMessageReader.startsRelayMessage(bytes))
        // Byte by byte: nothing before the last byte, the message after it.
        for byte in bytes.dropLast() { #expect(try reader.read([byte]) == nil) }
        #expect(try reader.read([bytes.last!]) == message)
        #expect(reader.remainder.isEmpty)
    }

    @Test func pinnedConnectBytes() {
        let target = try! NodeID(bytes: (0..<32).map { UInt8($0) })
        let bytes = RelayMessage.connect(target: target).encoded()
        #expect(bytes.count == 43)
        #expect(Array(bytes[0..<11]) == [0x00, 0x29] + Array("swiftrly".utf8) + [0x06])
        #expect(Array(bytes[11...]) == target.bytes)
        let circuit = RelayMessage.circuit(.ok, limits: RelayCircuitLimits(bytes: 0x0800_0000, seconds: 600)).encoded()
        #expect(circuit == [0x00, 0x16] + Array("swiftrly".utf8) + [0x09, 0x00]
            + [0, 0, 0, 0, 0x08, 0, 0, 0] + [0, 0, 0x02, 0x58])
    }

    @Test func bytesAfterAMessageStayInTheReader() throws {
        var reader = RelayMessageReader()
        let bytes = RelayMessage.circuit(.ok, limits: .none).encoded() + [0xaa, 0xbb]
        #expect(try reader.read(bytes) == .circuit(.ok, limits: .none))
        #expect(reader.takeRemainder() == [0xaa, 0xbb])
    }

    @Test func aHandshakeIsNotARelayMessage() {
        #expect(!RelayMessageReader.startsRelayMessage([0x00, 0x3c] + Array("swiftdht".utf8)))
        #expect(!RelayMessageReader.startsRelayMessage([0x00, 0x29] + Array("swiftrl".utf8)))
    }

    @Test func badInputIsATypedError() {
        var reader = RelayMessageReader()
        #expect(throws: RelayWireError.badLength(600)) { try reader.read([0x02, 0x58]) }
        var second = RelayMessageReader()
        #expect(throws: RelayWireError.badMagic) { try second.read([0x00, 0x09] + Array("swiftdht".utf8) + [1]) }
        var third = RelayMessageReader()
        #expect(throws: RelayWireError.unknownType(0x42)) { try third.read([0x00, 0x09] + RelayMessage.magic + [0x42]) }
        var fourth = RelayMessageReader()
        #expect(throws: RelayWireError.badSize(type: 0x05, size: 1)) {
            try fourth.read([0x00, 0x0a] + RelayMessage.magic + [0x05, 0x00])
        }
        var fifth = RelayMessageReader()
        #expect(throws: RelayWireError.unknownStatus(0x77)) {
            try fifth.read([0x00, 0x16] + RelayMessage.magic + [0x09, 0x77] + Array(repeating: 0, count: 12))
        }
    }

    @Test func aProbeIsTheNonceAfterTheType() {
        #expect(RelayMessage.probe(nonce: 0x0102_0304_0506_0708).encoded()
            == [0x00, 0x11] + Array("swiftrly".utf8) + [0x0a, 1, 2, 3, 4, 5, 6, 7, 8])
    }
}
