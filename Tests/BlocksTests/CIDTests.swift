import DHTCrypto
import Testing

@testable import Blocks

@Suite struct CIDTests {
    /// The zero-length dag-pb block's CIDs, from the dag-pb spec.
    static let emptyDagPBv1 = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    static let emptyDagPBv0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n"
    /// The empty raw block (cids.json).
    static let emptyRaw = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"

    @Test func parsesAndPrintsCIDv1() throws {
        let cid = try CID(parsing: Self.emptyRaw)
        #expect(cid.version == .v1)
        #expect(cid.codec == .raw)
        #expect(cid.multihash == Multihash(hashing: [UInt8]()))
        #expect(cid.description == Self.emptyRaw)
        #expect(cid.bytes.count == 36)
        #expect(cid.byteCount == 36)
        #expect(Array(cid.bytes[0..<4]) == [0x01, 0x55, 0x12, 0x20])
        #expect(try CID(decoding: cid.bytes) == cid)
        #expect(CID.raw(Multihash(hashing: [UInt8]())) == cid)
    }

    @Test func parsesCIDv0AndConvertsToV1() throws {
        let v0 = try CID(parsing: Self.emptyDagPBv0)
        #expect(v0.version == .v0)
        #expect(v0.codec == .dagPB)
        #expect(v0.bytes.count == 34)
        #expect(v0.byteCount == 34)
        #expect(v0.description == Self.emptyDagPBv0)
        #expect(try CID(decoding: v0.bytes) == v0)
        let v1 = try CID(parsing: Self.emptyDagPBv1)
        #expect(v0.v1 == v1)
        #expect(v1.multihash == Multihash(hashing: PBNode().encoded()))
    }

    @Test func parsesBase58CIDv1() throws {
        let cid = try CID(parsing: Self.emptyRaw)
        let z = Multibase.base58btc.encode(cid.bytes)
        #expect(try CID(parsing: z) == cid)
    }

    @Test func roundTripsBothCodecs() throws {
        for codec in [Multicodec.raw, .dagPB] {
            for content in ["", "a", "hello world"] {
                let cid = try CID(codec: codec, hashing: Array(content.utf8))
                #expect(try CID(parsing: cid.description) == cid)
                #expect(try CID(decoding: cid.bytes) == cid)
            }
        }
    }

    @Test func rejectsEmptyAndOverlongText() {
        #expect(throws: CIDError.empty) { try CID(parsing: "") }
        #expect(throws: CIDError.empty) { try CID(decoding: []) }
        #expect(throws: CIDError.textTooLong(300)) { try CID(parsing: String(repeating: "b", count: 300)) }
    }

    @Test func rejectsUnknownMultibase() {
        #expect(throws: CIDError.multibase(.unsupportedPrefix(UInt8(ascii: "B"), name: "base32upper"))) {
            try CID(parsing: Self.emptyRaw.uppercased())
        }
        #expect(throws: CIDError.multibase(.unsupportedPrefix(UInt8(ascii: "f"), name: "base16"))) {
            try CID(parsing: "f01551220")
        }
    }

    @Test func rejectsBadCharactersWithTheirOffset() {
        var text = Array(Self.emptyRaw.utf8)
        text[10] = UInt8(ascii: "1")
        #expect(throws: CIDError.multibase(.invalidCharacter(UInt8(ascii: "1"), offset: 10))) {
            try CID(parsing: String(decoding: text, as: UTF8.self))
        }
        var v0 = Array(Self.emptyDagPBv0.utf8)
        v0[20] = UInt8(ascii: "0")
        #expect(throws: CIDError.multibase(.invalidCharacter(UInt8(ascii: "0"), offset: 20))) {
            try CID(parsing: String(decoding: v0, as: UTF8.self))
        }
    }

    @Test func rejectsUnsupportedVersionsCodecsAndHashes() throws {
        let digest = [UInt8](repeating: 7, count: 32)
        #expect(throws: CIDError.unsupportedVersion(2)) { try CID(decoding: [0x02, 0x55, 0x12, 0x20] + digest) }
        #expect(throws: CIDError.unsupportedVersion(0)) { try CID(decoding: [0x00, 0x55, 0x12, 0x20] + digest) }
        // dag-cbor (0x71) CIDs exist in the wild; text form "bafyrei…".
        let dagCBOR = Multibase.base32.encode([0x01, 0x71, 0x12, 0x20] + digest)
        #expect(dagCBOR.hasPrefix("bafyrei"))
        #expect(throws: CIDError.unsupportedCodec(0x71)) { try CID(parsing: dagCBOR) }
        #expect(CIDError.unsupportedCodec(0x71).description.contains("dag-cbor"))
        #expect(throws: CIDError.multihash(.unsupportedHashFunction(0x13))) {
            try CID(decoding: [0x01, 0x55, 0x13, 0x40] + digest + digest)
        }
        #expect(throws: CIDError.multihash(.unsupportedHashFunction(0x00))) {
            try CID(decoding: [0x01, 0x55, 0x00, 0x03, 0x61, 0x62, 0x63])
        }
        #expect(throws: CIDError.multihash(.digestLength(expected: 32, actual: 20))) {
            try CID(decoding: [0x01, 0x55, 0x12, 0x14] + digest[0..<20])
        }
    }

    @Test func rejectsTruncatedAndTrailingBytes() throws {
        let cid = try CID(parsing: Self.emptyRaw)
        #expect(throws: CIDError.trailingBytes(count: 1)) { try CID(decoding: cid.bytes + [0]) }
        #expect(throws: CIDError.multihash(.truncatedDigest(expected: 32, available: 31))) {
            try CID(decoding: Array(cid.bytes.dropLast()))
        }
        #expect(throws: CIDError.varint(.truncated(offset: 1))) { try CID(decoding: [0x01, 0x80]) }
        #expect(throws: CIDError.varint(.notMinimal(offset: 0))) { try CID(decoding: [0x81, 0x00]) }
        let v0 = try CID(parsing: Self.emptyDagPBv0)
        #expect(throws: CIDError.trailingBytes(count: 2)) { try CID(decoding: v0.bytes + [1, 2]) }
        // Base32 text of a cut-short CID, and base32 text cut at an impossible length.
        #expect(throws: CIDError.multihash(.truncatedDigest(expected: 32, available: 30))) {
            try CID(parsing: Multibase.base32.encode(Array(cid.bytes.dropLast(2))))
        }
        #expect(throws: CIDError.multibase(.invalidLength(54))) { try CID(parsing: String(Self.emptyRaw.dropLast(4))) }
    }

    @Test func reportsQmTextThatIsNotASHA256Multihash() throws {
        // 46 characters starting "Qm" are read as CIDv0, a bare multihash; these decode to other multihashes.
        let sha512Header = Base58BTC.encode([0x12, 0x21] + [UInt8](repeating: 0xff, count: 32))
        #expect(sha512Header.count == 46 && sha512Header.hasPrefix("Qm"))
        #expect(throws: CIDError.multihash(.digestLength(expected: 32, actual: 33))) { try CID(parsing: sha512Header) }
        let almost = String(Self.emptyDagPBv0.dropLast()) + "z"
        #expect(try CID(parsing: almost) != CID(parsing: Self.emptyDagPBv0))
    }

    @Test func rejectsMultibaseEncodedCIDv0() throws {
        let v0 = try CID(parsing: Self.emptyDagPBv0)
        #expect(throws: CIDError.multibaseEncodedV0) { try CID(parsing: Multibase.base32.encode(v0.bytes)) }
        #expect(throws: CIDError.multibaseEncodedV0) { try CID(parsing: "z" + Self.emptyDagPBv0) }
    }

    @Test func rejectsV0WithOtherCodecs() {
        #expect(throws: CIDError.invalidV0Codec(0x55)) {
            try CID(version: .v0, codec: .raw, multihash: Multihash(hashing: [UInt8]()))
        }
        #expect(throws: CIDError.unsupportedCodec(0x12)) {
            try CID(version: .v1, codec: .sha2_256, multihash: Multihash(hashing: [UInt8]()))
        }
    }

    @Test func neverTrapsOnArbitraryShortInput() {
        // Every 1- and 2-byte input, and some 3-byte prefixes of real CIDs: errors, never a crash.
        for a in 0...255 {
            _ = try? CID(decoding: [UInt8(a)])
            for b in 0...255 { _ = try? CID(decoding: [UInt8(a), UInt8(b)]) }
        }
        for length in 0...Self.emptyRaw.utf8.count {
            _ = try? CID(parsing: String(Self.emptyRaw.prefix(length)))
            _ = try? CID(parsing: String(Self.emptyDagPBv0.prefix(length)))
        }
    }
}
