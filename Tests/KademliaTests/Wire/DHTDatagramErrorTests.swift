import Testing

@testable import Kademlia

@Suite("DHTDatagram decoding errors")
struct DHTDatagramErrorTests {
    /// Decodes and returns the error, or `nil` if the bytes decoded.
    func error(_ bytes: [UInt8]) -> DHTDatagramError? {
        do {
            _ = try DHTDatagram(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    func replacing(_ bytes: [UInt8], at offset: Int, with new: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<offset + new.count, with: new)
        return copy
    }

    let ping = DHTDatagramGoldenTests.pingBytes
    let nodes = DHTDatagramGoldenTests.nodesBytes

    @Test("header errors")
    func header() {
        #expect(error([UInt8](repeating: 1, count: 1281)) == .tooLarge(byteCount: 1281))
        #expect(error([]) == .truncated(.version, offset: 0))
        #expect(error([0x01]) == .truncated(.type, offset: 1))
        #expect(error([0x01, 0x01]) == .truncated(.flags, offset: 2))
        #expect(error([0x01, 0x01, 0x00, 1, 2]) == .truncated(.transactionID, offset: 3))
        #expect(error(Array(ping.prefix(42))) == .truncated(.senderKey, offset: 11))
        #expect(error(Array(ping.prefix(11))) == .truncated(.senderKey, offset: 11))
        #expect(error(replacing(ping, at: 0, with: [2])) == .unsupportedVersion(2))
        #expect(error(replacing(ping, at: 0, with: [0])) == .unsupportedVersion(0))
        #expect(error(replacing(ping, at: 1, with: [0x0C])) == .unknownType(0x0C))
        #expect(error(replacing(ping, at: 1, with: [0x88])) == .unknownType(0x88))
        #expect(error(replacing(ping, at: 1, with: [0x80])) == .unknownType(0x80))
        #expect(error(replacing(ping, at: 2, with: [0x04])) == .unknownFlags(4))
        #expect(error(replacing(ping, at: 2, with: [0x80])) == .unknownFlags(0x80))
        #expect(error(ping + [0]) == .trailingBytes(1, offset: 43))
    }

    @Test("a version check comes before anything else, even on a short datagram")
    func versionFirst() {
        #expect(error([0x02]) == .unsupportedVersion(2))
    }

    @Test("NODES errors: token, count, family, port, truncation")
    func nodesErrors() {
        #expect(error(replacing(nodes, at: 43, with: [33])) == .tokenTooLong(33, offset: 43))
        #expect(error(replacing(nodes, at: 48, with: [21])) == .tooManyContacts(21, offset: 48))
        #expect(error(replacing(nodes, at: 81, with: [5])) == .badAddressFamily(5, offset: 81))
        #expect(error(replacing(nodes, at: 86, with: [0, 0])) == .zeroPort(offset: 86))
        #expect(error(Array(nodes.prefix(nodes.count - 1))) == .truncated(.port, offset: nodes.count - 2))
        #expect(error(Array(nodes.prefix(100))) == .truncated(.contactID, offset: 88))
        #expect(error(Array(nodes.prefix(125))) == .truncated(.address, offset: 121))
        #expect(error(Array(nodes.prefix(45))) == .truncated(.token, offset: 44))
        #expect(error(Array(nodes.prefix(48))) == .truncated(.contactCount, offset: 48))
        #expect(error(nodes + [1, 2]) == .trailingBytes(2, offset: nodes.count))
    }

    @Test("STORE, VALUES and STORED errors")
    func recordErrors() throws {
        let store = try WireFixtures.datagram(
            .request(.store(WireFixtures.id(1), value: [UInt8](repeating: 0, count: 1024), ttl: .seconds(60)))
        ).encoded()
        // key 43..<75, token length 75, TTL 76..<80, value length 80.
        #expect(error(replacing(store, at: 80, with: [0x04, 0x01])) == .valueTooLarge(1025, offset: 80))
        #expect(error(Array(store.prefix(78))) == .truncated(.ttl, offset: 76))
        #expect(error(Array(store.prefix(1000))) == .truncated(.value, offset: 82))
        #expect(error(Array(store.prefix(60))) == .truncated(.key, offset: 43))

        let values = try WireFixtures.datagram(.response(.values([]))).encoded()
        #expect(error(replacing(values, at: 43, with: [17])) == .tooManyValues(17, offset: 43))
        #expect(error(replacing(values, at: 43, with: [1])) == .truncated(.publisher, offset: 44))

        let stored = try WireFixtures.datagram(.response(.stored(.stored))).encoded()
        #expect(error(replacing(stored, at: 43, with: [0x02])) == .unknownStoreOutcome(2, offset: 43))
        #expect(error(Array(stored.prefix(43))) == .truncated(.storeOutcome, offset: 43))
    }

    @Test("every error names its offset and a reason label")
    func descriptions() {
        let cases: [DHTDatagramError] = [
            .tooLarge(byteCount: 2000), .truncated(.port, offset: 86), .unsupportedVersion(9), .unknownType(0x42),
            .unknownFlags(4), .tokenTooLong(40, offset: 43), .tooManyContacts(21, offset: 48),
            .tooManyValues(17, offset: 43), .badAddressFamily(5, offset: 81), .zeroPort(offset: 86),
            .valueTooLarge(1025, offset: 80), .unknownStoreOutcome(7, offset: 43), .trailingBytes(1, offset: 43),
        ]
        #expect(Set(cases.map(\.reason)).count == cases.count)
        for error in cases {
            #expect(error.description.hasSuffix("at offset \(error.offset)"), "\(error)")
        }
        #expect(DHTDatagramError.tooLarge(byteCount: 2000).offset == 1280)
        #expect(DHTDatagramError.unknownType(0x42).offset == 1)
        #expect(
            DHTDatagramError.truncated(.port, offset: 86).description == "datagram ends inside the port at offset 86"
        )
    }
}
