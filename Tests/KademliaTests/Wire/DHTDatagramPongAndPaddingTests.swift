import Testing

@testable import Kademlia

@Suite("DHTDatagram: PONG signatures and padding")
struct DHTDatagramPongAndPaddingTests {
    let header: [UInt8] = [0x01, 0x81, 0x00] + [0, 0, 0, 0, 0, 0, 0, 7] + [UInt8](repeating: 0x5a, count: 32)

    @Test("a PONG is the header and a 64-byte signature (107 bytes)")
    func pongLayout() throws {
        let signature = (0..<64).map { UInt8($0) }
        let bytes = header + signature
        let datagram = try DHTDatagram(decoding: bytes)
        #expect(datagram.signature == signature)
        #expect(try datagram.encoded() == bytes)
        #expect(bytes.count == 107)
    }

    @Test("a PONG without its full signature is truncated at the signature")
    func pongTruncated() {
        #expect(throws: DHTDatagramError.truncated(.signature, offset: 43)) {
            try DHTDatagram(decoding: header + [UInt8](repeating: 1, count: 63))
        }
        #expect(throws: DHTDatagramError.truncated(.signature, offset: 43)) { try DHTDatagram(decoding: header) }
    }

    @Test("encoding a PONG needs a 64-byte signature")
    func pongNeedsSignature() {
        let pong = DHTDatagram(
            transactionID: TransactionID(rawValue: 1),
            senderKey: [UInt8](repeating: 1, count: 32),
            body: .response(.pong)
        )
        #expect(throws: DHTDatagramEncodingError.signatureLength(0)) { try pong.encoded() }
    }

    @Test("the challenge is the context, the transaction ID big-endian, and the requester's key")
    func challengeLayout() {
        let key = [UInt8](repeating: 0xee, count: 32)
        let challenge = DHTDatagram.pongChallenge(
            transactionID: TransactionID(rawValue: 0x0102_0304_0506_0708),
            requesterKey: key
        )
        #expect(challenge == Array("swift-dht pong v1".utf8) + [1, 2, 3, 4, 5, 6, 7, 8] + key)
    }

    @Test("the PADDED flag: zero bytes after the body, round trip")
    func padding() throws {
        let findNode: [UInt8] =
            [0x01, 0x02, 0x01] + [0, 0, 0, 0, 0, 0, 0, 9] + [UInt8](repeating: 0x5a, count: 32)
            + [UInt8](repeating: 0x33, count: 32)
        let padded = findNode + [UInt8](repeating: 0, count: 352)
        let datagram = try DHTDatagram(decoding: padded)
        #expect(datagram.paddingByteCount == 352)
        #expect(datagram.byteCount == 427)
        #expect(try datagram.encoded() == padded)
        #expect(throws: DHTDatagramError.emptyPadding(offset: 75)) { try DHTDatagram(decoding: findNode) }
        var dirty = padded
        dirty[100] = 1
        #expect(throws: DHTDatagramError.nonZeroPadding(offset: 100)) { try DHTDatagram(decoding: dirty) }
    }

    /// Found by FuzzDHTDatagram in CI: a padded `NODES` decoded, but re-encoded without its padding (replies are
    /// never padded), so the encoding was not canonical. A padded response is now rejected at decoding.
    @Test("a response with the PADDED flag is rejected (fuzzer regression)")
    func paddedResponseRejected() throws {
        let crash: [UInt8] =
            [0x01, 0x82, 0x01] + [UInt8](repeating: 1, count: 8)
            + [0x01, 0x04, 0x0a, 0, 0, 0, 0, 0, 0, 0x01, 0x06, 0x00, 1, 2, 3, 4, 5, 6, 0, 7, 8]
            + [UInt8](repeating: 0, count: 11) + [0, 0] + [0, 0]
        #expect(crash.count == 47)
        #expect(throws: DHTDatagramError.paddedResponse) { try DHTDatagram(decoding: crash) }
        #expect(DHTDatagramError.paddedResponse.reason == "padded-response")
        #expect(DHTDatagramError.paddedResponse.offset == 2)
        var unpadded = crash.prefix(45)
        unpadded[2] = 0
        let datagram = try DHTDatagram(decoding: unpadded)
        #expect(try datagram.encoded() == Array(unpadded))
    }

    @Test("padding is cut to fit a request and dropped from a reply")
    func paddingCut() throws {
        var request = WireFixtures.datagram(.request(.findNode(WireFixtures.id(1))), padding: 5000)
        #expect(try request.encoded().count == DHTDatagram.maxByteCount)
        request.paddingByteCount = 0
        #expect(try request.encoded().count == 75)
        let reply = WireFixtures.datagram(.response(.nodes([])), padding: 10)
        #expect(try reply.encoded().count == 45)
    }
}
