import Testing

@testable import Kademlia

@Suite("DHTDatagram dial-back messages and the CLIENT flag")
struct DHTDatagramDialTests {
    let header: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88] + WireFixtures.key(0x22)

    func datagram(_ body: KademliaMessage.Body, client: Bool = false) -> DHTDatagram {
        DHTDatagram(
            transactionID: TransactionID(rawValue: 0x1122_3344_5566_7788), senderKey: WireFixtures.key(0x22),
            body: body, isClient: client)
    }

    func error(_ bytes: [UInt8]) -> DHTDatagramError? {
        do {
            _ = try DHTDatagram(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("DIAL_BACK: the nonce alone (51 bytes); with CLIENT the flags byte is 0x02")
    func dialBack() throws {
        let bytes: [UInt8] = [0x01, 0x09, 0x02] + header + [1, 2, 3, 4, 5, 6, 7, 8]
        let expected = datagram(.request(.dialBack(nonce: 0x0102_0304_0506_0708)), client: true)
        #expect(bytes.count == 51)
        #expect(try expected.encoded() == bytes)
        #expect(try DHTDatagram(decoding: bytes) == expected)
        #expect(try DHTDatagram(decoding: bytes).message.isClient)
    }

    @Test("DIAL_REQUEST: nonce and target address (IPv4 58 bytes, IPv6 70)")
    func dialRequest() throws {
        let v4: [UInt8] = [0x01, 0x0A, 0x00] + header + [0, 0, 0, 0, 0, 0, 0, 9] + [4, 10, 0, 0, 1, 0x0f, 0xa1]
        let target = NodeAddress(ipv4: 0x0a00_0001, port: 4001)
        #expect(v4.count == 58)
        #expect(try datagram(.request(.dialRequest(nonce: 9, target: target))).encoded() == v4)
        #expect(try DHTDatagram(decoding: v4) == datagram(.request(.dialRequest(nonce: 9, target: target))))
        let v6Target = NodeAddress(host: .ipv6(high: 0x2001_0db8_0000_0000, low: 1), port: 65535)
        let v6 = try datagram(.request(.dialRequest(nonce: 9, target: v6Target))).encoded()
        #expect(v6.count == 70)
        #expect(Array(v6[51...]) == [6, 0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1, 0xff, 0xff])
    }

    @Test("DIAL_PROBE: the nonce alone; DIAL_STATUS: status byte and observed address")
    func probeAndStatus() throws {
        let probe: [UInt8] = [0x01, 0x0B, 0x00] + header + [0xfe, 0xed, 0xfa, 0xce, 0xca, 0xfe, 0xbe, 0xef]
        #expect(try datagram(.request(.dialProbe(nonce: 0xfeed_face_cafe_beef))).encoded() == probe)
        let observed = NodeAddress(ipv4: 0xc000_0207, port: 40000)
        let status: [UInt8] = [0x01, 0x87, 0x00] + header + [0x10, 4, 192, 0, 2, 7, 0x9c, 0x40]
        #expect(status.count == 51)
        #expect(try datagram(.response(.dialStatus(.noHelper, observed: observed))).encoded() == status)
        #expect(try DHTDatagram(decoding: status) == datagram(.response(.dialStatus(.noHelper, observed: observed))))
        let codes: [DialStatus: UInt8] = [.probed: 0x00, .noHelper: 0x10, .busy: 0x11, .refused: 0x12]
        for status in DialStatus.allCases { #expect(status.rawValue == codes[status]) }
    }

    @Test("errors: truncated nonce, unknown status, bad family, port 0, CLIENT on a response")
    func errors() throws {
        let base: [UInt8] = header
        #expect(error([0x01, 0x09, 0x00] + base + [1, 2, 3]) == .truncated(.nonce, offset: 43))
        #expect(error([0x01, 0x0B, 0x00] + base) == .truncated(.nonce, offset: 43))
        #expect(
            error([0x01, 0x87, 0x00] + base + [0x13, 4, 1, 2, 3, 4, 0, 1]) == .unknownDialStatus(0x13, offset: 43))
        #expect(error([0x01, 0x87, 0x00] + base + [0x00, 5, 1, 2, 3, 4, 0, 1]) == .badAddressFamily(5, offset: 44))
        #expect(error([0x01, 0x87, 0x00] + base + [0x00, 4, 1, 2, 3, 4, 0, 0]) == .zeroPort(offset: 49))
        #expect(error([0x01, 0x87, 0x00] + base + [0x00, 4, 1, 2, 3]) == .truncated(.address, offset: 45))
        #expect(
            error([0x01, 0x0A, 0x00] + base + [0, 0, 0, 0, 0, 0, 0, 1] + [4, 1, 2, 3, 4, 0, 0])
                == .zeroPort(offset: 56))
        #expect(error([0x01, 0x87, 0x02] + base + [0x00, 4, 1, 2, 3, 4, 0, 1]) == .clientResponse)
        #expect(error([0x01, 0x81, 0x02] + base + [UInt8](repeating: 0, count: 64)) == .clientResponse)
        #expect(DHTDatagramError.clientResponse.reason == "client-response")
        #expect(DHTDatagramError.unknownDialStatus(1, offset: 43).reason == "unknown-dial-status")
        #expect(
            error([0x01, 0x0B, 0x00] + base + [UInt8](repeating: 1, count: 8) + [0]) == .trailingBytes(1, offset: 51))
    }

    @Test("a response never carries CLIENT: encoding drops it; port 0 cannot be encoded")
    func encodingRules() throws {
        let status = datagram(
            .response(.dialStatus(.probed, observed: NodeAddress(ipv4: 1, port: 1))), client: true)
        #expect(try status.encoded()[2] == 0)
        let zero = datagram(.request(.dialRequest(nonce: 1, target: NodeAddress(ipv4: 1, port: 0))))
        #expect(throws: DHTDatagramEncodingError.self) { try zero.encoded() }
    }
}
