import Foundation
import Testing

@testable import Blocks

@Suite struct CARTests {
    /// A CAR of one file, `helloworld.txt` ("Hello, world!"), in a UnixFS directory, as web3.storage's Go client
    /// tests carry it (written by go-car): the root directory node, then the raw leaf.
    static let helloRoot = "bafybeicymili4gmgoa4xpx5jfghi7leffvai4fd47f6nxgrhq4ug6ekiga"
    static let helloCAR = hex(
        "3aa265726f6f747381d82a582500017012205862168e1986703977dfa9298e8fac852d408e147cf97cdb9a2787286f1148306776"
            + "657273696f6e0162017012205862168e1986703977dfa9298e8fac852d408e147cf97cdb9a2787286f11483012380a240155"
            + "1220315f5bdb76d078c43b8ac0064e4a0164612b1fce77c869345bfc94c75894edd3120e68656c6c6f776f726c642e747874"
            + "180d0a0208013101551220315f5bdb76d078c43b8ac0064e4a0164612b1fce77c869345bfc94c75894edd348656c6c6f2c20"
            + "776f726c6421")

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
        }
        return bytes
    }

    /// The offsets where the header and each section start, and the end.
    static func sectionStarts(_ car: [UInt8]) throws -> [Int] {
        var starts: [Int] = []
        var position = 0
        while position < car.count {
            starts.append(position)
            let (length, count) = try Varint.decode(Array(car[position...]))
            position += count + Int(length)
        }
        return starts + [position]
    }

    private func exportBytes(_ root: CID, from store: some BlockStore) throws -> [UInt8] {
        var output: [UInt8] = []
        _ = try CARWriter.export(root: root, from: store) { output += $0 }
        return output
    }

    @Test func headerEncodingIsCanonicalDagCBOR() throws {
        // {version: 1, roots: [V1]} and {version: 1, roots: [V1, RAW]} as dag-cbor encoders write them.
        let v1 = try CID(parsing: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")
        let raw = try CID(parsing: "bafkreigph5cub32tn4ph2au3izioyxnr37lvthzdug4xlmhlbnxj7h3mqu")
        let one = Self.hex(
            "a265726f6f747381d82a58250001701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391a67"
                + "76657273696f6e01")
        let two = Self.hex(
            "a265726f6f747382d82a58250001701220c3c4733ec8affd06cf9e9ff50ffc6bcd2ec85a6170004bb709669c31de94391ad8"
                + "2a58250001551220cf3f4540ef536f1e7d029b4650ec5db1dfd7599f23a1b975b0eb0b6e9f9f6c856776657273696f6e01")
        #expect(CARHeader(roots: [v1]).encoded() == one)
        #expect(CARHeader(roots: [v1, raw]).encoded() == two)
        #expect(try CARHeader(decoding: one) == CARHeader(roots: [v1]))
        #expect(try CARHeader(decoding: two) == CARHeader(roots: [v1, raw]))
        // Keys in the other order are read too.
        let swapped = [0xa2] + Array(one[49...]) + Array(one[1..<49])
        #expect(try CARHeader(decoding: swapped) == CARHeader(roots: [v1]))
        // A CIDv0 root.
        let v0 = CID.v0(v1.multihash)
        #expect(try CARHeader(decoding: CARHeader(roots: [v0]).encoded()).roots == [v0])
    }

    @Test func importsAGoCarFileAndExportsTheSameBytes() throws {
        let store = MemoryBlockStore()
        let result = try CARImport.importCAR(CARMemorySource(Self.helloCAR), into: store)
        let root = try CID(parsing: Self.helloRoot)
        #expect(result.roots == [root])
        #expect(result.blockCount == 2)
        #expect(store.count == 2)
        #expect(try store.get(CID(parsing: "bafkreibrl5n5w5wqpdcdxcwaazheualemevr7ttxzbutiw74stdvrfhn2m")) == Array("Hello, world!".utf8))
        #expect(try exportBytes(root, from: store) == Self.helloCAR)
    }

    @Test func aFileDAGRoundTripsThroughACARFileIntoTheRepository() throws {
        try withTemporaryDirectory { root in
            let bytes = distinctBytes(100)
            let (memory, imported) = try importIntoMemory(bytes)
            let carPath = root + "/file.car"
            let exported = try CARWriter.export(root: imported.root, from: memory, toFile: carPath)
            #expect(exported.blockCount == memory.count)
            #expect(filesBelow(root) == ["file.car"], "no temporary file left")

            let car = Array(try Data(contentsOf: URL(fileURLWithPath: carPath)))
            #expect(UInt64(car.count) == exported.byteCount)
            // Depth-first: the root's section comes first.
            var reader = CARReader(CARMemorySource(car))
            #expect(try reader.nextBlock()?.cid == imported.root)

            let store = try FileBlockStore(path: root + "/repo")
            let result = try store.importCAR(fromFile: carPath)
            #expect(result.roots == [imported.root])
            #expect(result.blockCount == memory.count)
            var file = try DAGReader(root: imported.root, store: store)
            #expect(try file.readAll() == bytes)
            #expect(try exportBytes(imported.root, from: store) == car)
        }
    }

    @Test func everyTruncationIsRejectedAtItsSectionAndLeavesNothing() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let car = Self.helloCAR
            let starts = try Self.sectionStarts(car)
            for length in 0..<car.count {
                let prefix = Array(car[..<length])
                if starts.dropFirst().contains(length) {
                    // Ends between sections: a shorter but valid CAR (the spec leaves "zero blocks" open).
                    #expect(throws: Never.self) { try CARImport.importCAR(CARMemorySource(prefix), into: MemoryBlockStore()) }
                    continue
                }
                let section = UInt64(starts.last { $0 <= length } ?? 0)
                #expect {
                    try store.importCAR(CARMemorySource(prefix))
                } throws: { error in
                    switch error as? CARError {
                    case .truncated(let offset, _, let available)?:
                        return offset == section && offset + available <= UInt64(length)
                    case .badHeader(0, .missing)?: return length == 0
                    default: return false
                    }
                }
                #expect(try store.stat() == RepoStat(), "prefix of \(length) bytes")
            }
        }
    }

    @Test func aCorruptBlockIsAHashMismatchAtItsSectionAndNothingStays() throws {
        try withTemporaryDirectory { root in
            let store = try FileBlockStore(path: root)
            let starts = try Self.sectionStarts(Self.helloCAR)
            var car = Self.helloCAR
            car[car.count - 1] ^= 0x20  // "Hello, world!" -> "Hello, world\x01"
            let leaf = try CID(parsing: "bafkreibrl5n5w5wqpdcdxcwaazheualemevr7ttxzbutiw74stdvrfhn2m")
            let expected = CARError.hashMismatch(offset: UInt64(starts[2]), cid: leaf)
            #expect(throws: expected) { try store.importCAR(CARMemorySource(car)) }
            #expect(try store.stat() == RepoStat(), "the root block before it was staged, then discarded")
            let memory = MemoryBlockStore()
            #expect(throws: expected) { try CARImport.importCAR(CARMemorySource(car), into: memory) }
            #expect(memory.count == 0)
            #expect(expected.description.contains("byte \(starts[2])"))
        }
    }

    @Test(arguments: [
        // CARv2 pragma: {version: 2}.
        ("0aa16776657273696f6e02", CARError.badHeader(offset: 1, .unsupportedVersion(2))),
        // {roots: [], version: 1}
        ("11a265726f6f7473806776657273696f6e01", .badHeader(offset: 1, .noRoots)),
        // {version: 1}
        ("0aa16776657273696f6e01", .badHeader(offset: 1, .missingRoots)),
        // {roots: []}
        ("08a165726f6f747380", .badHeader(offset: 1, .missingVersion)),
        // {version: 1, name: 1}
        ("10a26776657273696f6e01646e616d6501", .badHeader(offset: 11, .unknownKey("name"))),
        // {version: 1, version: 1}
        ("13a26776657273696f6e016776657273696f6e01", .badHeader(offset: 11, .duplicateKey("version"))),
        // version as 0x18 0x01: not the shortest form.
        ("0ba16776657273696f6e1801", .badHeader(offset: 10, .nonCanonicalInteger)),
        // An indefinite-length map.
        ("01bf", .badHeader(offset: 1, .indefiniteLength)),
        // An array, not a map.
        ("0180", .badHeader(offset: 1, .unexpectedType(expected: "a map", major: 4))),
        // {version: 1} then a stray byte.
        ("0ba16776657273696f6e0100", .badHeader(offset: 11, .trailingBytes(1))),
        // {roots: [h'000000']}: a root that is a byte string without tag 42.
        ("0ca165726f6f74738143000000", .badHeader(offset: 9, .rootNotCID)),
        // {roots: [42(h'01')]}: no identity prefix.
        ("0ca165726f6f747381d82a4101", .badHeader(offset: 11, .missingIdentityPrefix)),
        // {roots: [42(h'0001')]}: a CID that ends after its version.
        ("0da165726f6f747381d82a420001", .badHeader(offset: 11, .invalidRoot(.varint(.truncated(offset: 1))))),
        // A header that claims more bytes than there are.
        ("0aa1", .truncated(offset: 0, needed: 10, available: 1)),
        ("00", .badHeader(offset: 0, .empty)),
        ("8000", .badLengthPrefix(offset: 0)),
        ("80808001", .badHeader(offset: 0, .tooLarge(2_097_152))),
        ("", .badHeader(offset: 0, .missing)),
    ])
    func badHeadersAreRejectedWithTheirOffset(hex: String, expected: CARError) throws {
        var reader = CARReader(CARMemorySource(Self.hex(hex)))
        #expect(throws: expected) { try reader.readHeader() }
    }

    @Test func badSectionsAreRejectedWithTheirOffset() throws {
        let header = Array(Self.helloCAR[..<59])
        let start = UInt64(header.count)
        func read(_ tail: [UInt8]) throws {
            var reader = CARReader(CARMemorySource(header + tail))
            while try reader.nextBlock() != nil {}
        }
        #expect(throws: CARError.emptySection(offset: start)) { try read([0x00]) }
        #expect(throws: CARError.sectionTooLarge(offset: start, length: 3 << 20)) { try read(Varint.encode(3 << 20)) }
        // A dag-cbor (0x71) CID.
        let cbor = [0x01, 0x71, 0x12, 0x20] + [UInt8](repeating: 7, count: 32)
        #expect(throws: CARError.invalidCID(offset: start, .unsupportedCodec(0x71))) {
            try read(Varint.encode(UInt64(cbor.count + 1)) + cbor + [0xa0])
        }
        #expect(throws: CARError.truncated(offset: start, needed: 2, available: 1)) { try read([0x80]) }
    }

    @Test func duplicateAndCIDv0SectionsAreAccepted() throws {
        let block = try Block(codec: .dagPB, hashing: PBNode().encoded())
        let v0 = CID.v0(block.cid.multihash)
        var car = Varint.encode(UInt64(CARHeader(roots: [v0]).encoded().count)) + CARHeader(roots: [v0]).encoded()
        for cid in [v0, block.cid, v0] {
            car += Varint.encode(UInt64(cid.byteCount + block.bytes.count)) + cid.bytes + block.bytes
        }
        let store = MemoryBlockStore()
        let result = try CARImport.importCAR(CARMemorySource(car), into: store)
        #expect(result.blockCount == 3)
        #expect(result.roots == [v0])
        #expect(store.count == 1)
    }

    @Test func exportFailsOnMissingOrCorruptBlocksAndLeavesNoFile() throws {
        try withTemporaryDirectory { root in
            let (memory, imported) = try importIntoMemory(distinctBytes(30))
            let rootNode = try PBNode(decoding: try #require(memory.get(imported.root)))
            let leaf = try #require(rootNode.links.last?.hash)
            let store = try FileBlockStore(path: root + "/repo")
            for multihash in memory.multihashes { try store.put(try #require(try memory.getVerified(.raw(multihash)))) }

            let path = store.layout.location(of: leaf.multihash).path
            try overwriteFile(path, with: [1, 2, 3])
            #expect(throws: CARError.store(.corruptBlock(leaf, path: path))) {
                try CARWriter.export(root: imported.root, from: store, toFile: root + "/out.car")
            }
            try store.delete(leaf)
            #expect(throws: CARError.missingBlock(leaf)) {
                try CARWriter.export(root: imported.root, from: store, toFile: root + "/out.car")
            }
            #expect(filesBelow(root).filter { !$0.hasPrefix("repo/") } == [])
            #expect(throws: CARError.missingBlock(imported.root)) {
                try CARWriter.export(root: imported.root, from: MemoryBlockStore()) { _ in }
            }
        }
    }

    @Test func largeCARFilesAreReadAcrossBufferRefills() throws {
        try withTemporaryDirectory { root in
            // 3 MiB + 5 bytes in 256 KiB chunks: sections straddle the 1 MiB read buffer.
            let bytes = (0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
            let memory = MemoryBlockStore()
            let imported = try BalancedDAGBuilder.importBytes(bytes, to: memory)
            let carPath = root + "/big.car"
            _ = try CARWriter.export(root: imported.root, from: memory, toFile: carPath)
            let store = try FileBlockStore(path: root + "/repo")
            let result = try store.importCAR(fromFile: carPath)
            #expect(result.blockCount == memory.count)
            #expect(try store.stat().temporaryFileCount == 0)
            var file = try DAGReader(root: imported.root, store: store)
            #expect(try file.readAll() == bytes)
        }
    }
}
