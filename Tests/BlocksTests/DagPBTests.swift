import DHTCrypto
import Testing

@testable import Blocks

@Suite struct DagPBTests {
    static let leaf = CID.raw(Multihash(hashing: Array("leaf".utf8)))

    /// A valid PBLink body: Hash, Name "", Tsize 5.
    static var linkBody: [UInt8] { [0x0a, 0x24] + leaf.bytes + [0x12, 0x00, 0x18, 0x05] }

    static func field(_ key: UInt8, _ body: [UInt8]) -> [UInt8] { [key, UInt8(body.count)] + body }

    @Test func encodesLinksFirstWithAnExplicitEmptyName() throws {
        let node = PBNode(
            links: [PBLink(hash: Self.leaf, name: "", tsize: 5)],
            data: [0x08, 0x02])
        let bytes = node.encoded()
        #expect(bytes == Self.field(0x12, Self.linkBody) + [0x0a, 0x02, 0x08, 0x02])
        #expect(try PBNode(decoding: bytes) == node)
    }

    @Test func roundTripsOptionalFields() throws {
        let nodes = [
            PBNode(),
            PBNode(data: []),
            PBNode(links: [PBLink(hash: Self.leaf)]),
            PBNode(links: [PBLink(hash: Self.leaf, name: "a"), PBLink(hash: Self.leaf, tsize: 0)], data: [1, 2, 3]),
            PBNode(links: [PBLink(hash: CID.v0(Self.leaf.multihash), name: "ünïcode", tsize: UInt64.max)]),
        ]
        for node in nodes {
            #expect(try PBNode(decoding: node.encoded()) == node)
        }
        // Absent Data and empty Data are different encodings.
        #expect(PBNode().encoded() == [])
        #expect(PBNode(data: []).encoded() == [0x0a, 0x00])
    }

    @Test func decodesKuboRootNodeExactly() throws {
        // The 262145-byte vector: a root with two raw leaves, 104 bytes as kubo writes it.
        let vector = try #require(CIDVector.all.first { $0.size == 262_145 })
        let store = MemoryBlockStore()
        let result = try BalancedDAGBuilder.importBytes(vector.source.all(), to: store)
        let bytes = try #require(store.get(result.root))
        #expect(bytes.count == 104)
        #expect(Array(bytes[0..<8]) == [0x12, 0x2c, 0x0a, 0x24, 0x01, 0x55, 0x12, 0x20])
        let node = try PBNode(decoding: bytes)
        #expect(node.links.count == 2)
        #expect(node.links.map(\.name) == ["", ""])
        #expect(node.links.map(\.tsize) == [262_144, 1])
        #expect(node.links.allSatisfy { $0.hash.codec == .raw })
        let unixfs = try UnixFSData(decoding: try #require(node.data))
        #expect(unixfs == UnixFSData(type: .file, filesize: 262_145, blocksizes: [262_144, 1]))
        #expect(node.encoded() == bytes)
        #expect(CID.dagPB(Multihash(hashing: bytes)) == result.root)
    }

    @Test func acceptsTheZeroLengthBlockAndDataBeforeLinks() throws {
        #expect(try PBNode(decoding: []) == PBNode())
        // The spec: decoders should accept Data before Links, as such data exists.
        let dataFirst = [0x0a, 0x01, 0x07] + Self.field(0x12, Self.linkBody)
        let expected = PBNode(links: [PBLink(hash: Self.leaf, name: "", tsize: 5)], data: [7])
        #expect(try PBNode(decoding: dataFirst) == expected)
    }

    @Test func rejectsSplitOrDuplicateSections() {
        let link = Self.field(0x12, Self.linkBody)
        let data: [UInt8] = [0x0a, 0x01, 0x07]
        #expect(throws: DagPBError.fieldOutOfOrder(message: "PBNode", field: 2, offset: link.count + 3)) {
            try PBNode(decoding: link + data + link)
        }
        #expect(throws: DagPBError.duplicateField(message: "PBNode", field: 1, offset: link.count + 3)) {
            try PBNode(decoding: link + data + data)
        }
    }

    @Test func rejectsUnknownFieldsAndWrongWireTypes() {
        #expect(throws: DagPBError.unknownField(message: "PBNode", field: 3, offset: 0)) {
            try PBNode(decoding: [0x1a, 0x00])
        }
        #expect(throws: DagPBError.wrongWireType(message: "PBNode", field: 1, wireType: 0, offset: 0)) {
            try PBNode(decoding: [0x08, 0x01])
        }
        #expect(throws: DagPBError.unknownField(message: "PBLink", field: 4, offset: 40)) {
            try PBNode(decoding: Self.field(0x12, [0x0a, 0x24] + Self.leaf.bytes + [0x20, 0x01]))
        }
        #expect(throws: DagPBError.wrongWireType(message: "PBLink", field: 3, wireType: 2, offset: 40)) {
            try PBNode(decoding: Self.field(0x12, [0x0a, 0x24] + Self.leaf.bytes + [0x1a, 0x00]))
        }
    }

    @Test func rejectsLinkFieldsOutOfOrderOrRepeated() {
        // Name before Hash.
        #expect(throws: DagPBError.fieldOutOfOrder(message: "PBLink", field: 1, offset: 4)) {
            try PBNode(decoding: Self.field(0x12, [0x12, 0x00, 0x0a, 0x24] + Self.leaf.bytes))
        }
        // Hash twice.
        let hash = [0x0a, 0x24] + Self.leaf.bytes
        #expect(throws: DagPBError.duplicateField(message: "PBLink", field: 1, offset: 40)) {
            try PBNode(decoding: Self.field(0x12, hash + hash))
        }
    }

    @Test func rejectsLinksWithoutAValidHash() {
        #expect(throws: DagPBError.missingLinkHash(offset: 2)) {
            try PBNode(decoding: Self.field(0x12, [0x12, 0x00, 0x18, 0x01]))
        }
        #expect(throws: DagPBError.invalidLinkHash(.unsupportedCodec(0x71), offset: 4)) {
            let dagCBOR: [UInt8] = [0x01, 0x71, 0x12, 0x20] + [UInt8](repeating: 0, count: 32)
            return try PBNode(decoding: Self.field(0x12, [0x0a, 0x24] + dagCBOR))
        }
        #expect(throws: DagPBError.invalidLinkHash(.trailingBytes(count: 1), offset: 4)) {
            try PBNode(decoding: Self.field(0x12, [0x0a, 0x25] + Self.leaf.bytes + [0]))
        }
        #expect(throws: DagPBError.invalidLinkName(offset: 42)) {
            try PBNode(decoding: Self.field(0x12, [0x0a, 0x24] + Self.leaf.bytes + [0x12, 0x01, 0xff]))
        }
    }

    @Test func rejectsTruncatedInput() {
        #expect(throws: DagPBError.truncated(offset: 2, needed: 5, available: 1)) {
            try PBNode(decoding: [0x0a, 0x05, 0x01])
        }
        #expect(throws: DagPBError.varint(.truncated(offset: 1))) { try PBNode(decoding: [0x0a, 0x80]) }
        #expect(throws: DagPBError.varint(.truncated(offset: 0))) { try PBNode(decoding: [0x80]) }
        // Truncated anywhere: an error, never a crash.
        let full = PBNode(links: [PBLink(hash: Self.leaf, name: "x", tsize: 300)], data: [1, 2, 3]).encoded()
        for length in 0..<full.count {
            _ = try? PBNode(decoding: Array(full[0..<length]))
        }
    }
}
