import Testing

@testable import Kademlia

@Suite("NodeID")
struct NodeIDTests {
    let a = try! NodeID(hex: "0123456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978")

    @Test("XOR distance is byte-wise XOR, symmetric, zero to itself")
    func xorDistance() throws {
        let b = try NodeID(hex: "ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00")
        let expected = zip(a.bytes, b.bytes).map { $0 ^ $1 }
        #expect(a.distance(to: b).bytes == expected)
        #expect(a.distance(to: b) == b.distance(to: a))
        #expect(a.distance(to: a) == .zero)
        #expect(NodeID.zero.distance(to: .max) == .max)
        // Distances compare as unsigned big-endian numbers: the first byte dominates.
        let near = try NodeID(bytes: [0x00] + [UInt8](repeating: 0xff, count: 31))
        let far = try NodeID(bytes: [0x01] + [UInt8](repeating: 0x00, count: 31))
        #expect(near < far)
    }

    @Test("shared-prefix length at the edges")
    func sharedPrefixEdges() {
        #expect(a.sharedPrefixLength(with: a) == 256)
        #expect(a.sharedPrefixLength(with: a.flippingBit(0)) == 0)
        #expect(a.sharedPrefixLength(with: a.flippingBit(255)) == 255)
        #expect(a.sharedPrefixLength(with: a.flippingBit(63)) == 63)
        #expect(a.sharedPrefixLength(with: a.flippingBit(64)) == 64)
        #expect(a.sharedPrefixLength(with: a.flippingBit(191)) == 191)
        #expect(NodeID.zero.sharedPrefixLength(with: .max) == 0)
        #expect(NodeID.zero.leadingZeroBitCount == 256)
        // The last bit differs: bytes differ only in the last byte, by 1.
        var bytes = a.bytes
        bytes[31] ^= 1
        #expect(a.flippingBit(255).bytes == bytes)
    }

    @Test("bits are numbered from the most significant bit of the first byte")
    func bitNumbering() throws {
        let id = try NodeID(bytes: [0x80] + [UInt8](repeating: 0, count: 30) + [0x01])
        #expect(id.bit(0))
        #expect(!id.bit(1))
        #expect(id.bit(255))
        #expect(!id.bit(254))
        #expect(NodeID.zero.flippingBit(0).bytes[0] == 0x80)
    }

    @Test("randomID(sharingPrefixLength:) shares exactly that many bits", arguments: [0, 1, 63, 64, 200, 255, 256])
    func randomIDSharingPrefix(length: Int) {
        var random = SeededRandom(seed: UInt64(length) + 11)
        for base in [a, NodeID.zero, NodeID.max] {
            var seen = Set<NodeID>()
            for _ in 0..<50 {
                let id = base.randomID(sharingPrefixLength: length, using: &random)
                #expect(base.sharedPrefixLength(with: id) == length)
                seen.insert(id)
            }
            // Below 255 the remaining bits are random; at 255 exactly one ID qualifies, at 256 the ID itself.
            switch length {
            case 256: #expect(seen == [base])
            case 255: #expect(seen == [base.flippingBit(255)])
            default: #expect(seen.count > 40)
            }
        }
    }

    @Test("hex: 64 characters parse, either case")
    func hexParses() throws {
        let lower = "0123456789abcdef00112233445566778899aabbccddeeff0f1e2d3c4b5a6978"
        #expect(try NodeID(hex: lower).hex == lower)
        #expect(try NodeID(hex: lower.uppercased()) == NodeID(hex: lower))
        #expect(a.bytes.first == 0x01 && a.bytes.last == 0x78)
        #expect(a.description == "0123456789abcdef")
    }

    @Test("hex: wrong lengths are typed errors")
    func hexWrongLength() {
        let sixtyThree = String(repeating: "a", count: 63)
        let sixtyFive = String(repeating: "a", count: 65)
        #expect(throws: NodeIDParseError.wrongHexLength(63)) { try NodeID(hex: sixtyThree) }
        #expect(throws: NodeIDParseError.wrongHexLength(65)) { try NodeID(hex: sixtyFive) }
        #expect(throws: NodeIDParseError.wrongHexLength(0)) { try NodeID(hex: "") }
    }

    @Test("hex: a non-hex character is reported with its offset", arguments: [0, 1, 30, 63])
    func hexInvalidCharacter(offset: Int) {
        var characters = Array(String(repeating: "0", count: 64))
        characters[offset] = "g"
        let text = String(characters)
        #expect(throws: NodeIDParseError.invalidHexCharacter(offset: offset)) { try NodeID(hex: text) }
    }

    @Test("hex: a space or sign is not a hex digit")
    func hexRejectsSeparators() {
        let spaced = " " + String(repeating: "0", count: 63)
        #expect(throws: NodeIDParseError.invalidHexCharacter(offset: 0)) { try NodeID(hex: spaced) }
        let signed = String(repeating: "0", count: 10) + "-" + String(repeating: "0", count: 53)
        #expect(throws: NodeIDParseError.invalidHexCharacter(offset: 10)) { try NodeID(hex: signed) }
    }

    @Test("bytes: only 32 bytes make an ID", arguments: [0, 1, 31, 33, 64])
    func bytesWrongLength(count: Int) {
        #expect(throws: NodeIDParseError.wrongLength(count)) { try NodeID(bytes: [UInt8](repeating: 7, count: count)) }
    }

    @Test("round trip: bytes → ID → bytes and hex → ID → hex")
    func roundTrip() throws {
        var random = SeededRandom(seed: 99)
        for _ in 0..<100 {
            let id = NodeID.random(using: &random)
            #expect(try NodeID(bytes: id.bytes) == id)
            #expect(try NodeID(hex: id.hex) == id)
            #expect(id.hex.count == 64)
        }
        let counting = (0..<32).map { UInt8($0) }
        #expect(try NodeID(bytes: counting).bytes == counting)
    }

    @Test("the ID of a public key is its SHA-256")
    func idOfPublicKey() throws {
        // SHA-256 of the empty input.
        let empty = try NodeID(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(NodeID(publicKeyBytes: [UInt8]()) == empty)
    }
}
