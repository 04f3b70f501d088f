import Testing

@testable import Names

/// The record's DAG-CBOR map: canonical bytes out, strict reading in.
@Suite struct DAGCBORTests {
    static let sample = IPNSRecordData(
        value: Array("/ipfs/bafkqaddwgevxmmraojswg33smq".utf8),
        validity: Array("2123-08-14T12:17:03.694052Z".utf8),
        validityType: 0,
        sequence: 7,
        ttl: 300_000_000_000
    )

    @Test func encodesKeysInCanonicalOrder() {
        let bytes = Self.sample.encoded()
        #expect(bytes.first == 0xa5, "a map of 5")
        let text = String(decoding: bytes, as: UTF8.self)
        let order = ["TTL", "Value", "Sequence", "Validity", "ValidityType"].map { key in
            text.range(of: key)!.lowerBound
        }
        #expect(order == order.sorted(), "TTL, Value, Sequence, Validity, ValidityType (length first, then bytewise)")
    }

    @Test func roundTrips() throws {
        let bytes = Self.sample.encoded()
        let decoded = try IPNSRecordData(decoding: bytes)
        #expect(decoded == Self.sample)
        #expect(decoded.encoded() == bytes)
    }

    @Test(arguments: [UInt64(0), 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000, UInt64(Int64.max)])
    func integersTakeTheirShortestForm(value: UInt64) throws {
        var data = Self.sample
        data.sequence = value
        data.ttl = value
        let bytes = data.encoded()
        #expect(try IPNSRecordData(decoding: bytes) == data)
        var writer = DAGCBORWriter()
        writer.appendUnsigned(value)
        let expectedLength = value < 24 ? 1 : value <= 0xff ? 2 : value <= 0xffff ? 3 : value <= 0xffff_ffff ? 5 : 9
        #expect(writer.bytes.count == expectedLength)
    }

    /// The data map of the spec's v2 vector, read as it is and written back byte for byte.
    @Test func theV2VectorsDataRoundTrips() throws {
        let fixture = try #require(IPNSFixture.named("v2"))
        let data = try #require(try IPNSEntry(decoding: fixture.bytes).data)
        #expect(try IPNSRecordData(decoding: data).encoded() == data)
    }

    // MARK: Refused

    /// Builds a map from (key, raw value bytes) pairs as given, in the order given.
    static func map(_ entries: [(String, [UInt8])]) -> [UInt8] {
        var writer = DAGCBORWriter()
        writer.appendMapHead(count: entries.count)
        var bytes = writer.bytes
        for (key, value) in entries {
            var keyWriter = DAGCBORWriter()
            keyWriter.appendText(key)
            bytes += keyWriter.bytes + value
        }
        return bytes
    }

    static func cborBytes(_ value: String) -> [UInt8] {
        var writer = DAGCBORWriter()
        writer.appendBytes(Array(value.utf8))
        return writer.bytes
    }

    static func cborUnsigned(_ value: UInt64) -> [UInt8] {
        var writer = DAGCBORWriter()
        writer.appendUnsigned(value)
        return writer.bytes
    }

    static var goodEntries: [(String, [UInt8])] {
        [
            ("TTL", cborUnsigned(1)),
            ("Value", cborBytes("/ipfs/x")),
            ("Sequence", cborUnsigned(0)),
            ("Validity", cborBytes("2123-08-14T12:17:03Z")),
            ("ValidityType", cborUnsigned(0)),
        ]
    }

    @Test func theHandBuiltMapIsAccepted() throws {
        #expect(throws: Never.self) { try IPNSRecordData(decoding: Self.map(Self.goodEntries)) }
    }

    @Test func keysOutOfOrderAreRefused() {
        var entries = Self.goodEntries
        entries.swapAt(2, 3)  // Validity before Sequence
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(entries)) }
        // Bytewise order alone (as JSON or Go maps might sort) puts "Sequence" before "TTL": not canonical.
        var bytewise = Self.goodEntries
        bytewise.sort { $0.0 < $1.0 }
        #expect(throws: DAGCBORError.keysOutOfOrder(offset: 11)) { try IPNSRecordData(decoding: Self.map(bytewise)) }
    }

    @Test func repeatedKeysAreRefused() {
        let entries = Self.goodEntries + [("ValidityType", Self.cborUnsigned(0))]
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(entries)) }
    }

    @Test func nonMinimalIntegersAreRefused() {
        var entries = Self.goodEntries
        entries[2].1 = [0x18, 0x05]  // 5 written in two bytes
        let bytes = Self.map(entries)
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: bytes) }
        var lengths = Self.goodEntries
        lengths[1].1 = [0x58, 0x01, 0x41]  // a 1-byte string with its length in a second byte
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(lengths)) }
    }

    @Test func indefiniteLengthsAreRefused() {
        var entries = Self.goodEntries
        entries[1].1 = [0x5f, 0x41, 0x41, 0xff]  // an indefinite byte string
        #expect(throws: DAGCBORError.indefiniteLength(offset: 12)) { try IPNSRecordData(decoding: Self.map(entries)) }
        #expect(throws: DAGCBORError.indefiniteLength(offset: 0)) { try IPNSRecordData(decoding: [0xbf, 0xff]) }
    }

    @Test func wrongTypesAndMissingFieldsAreRefused() {
        var textValue = Self.goodEntries
        var writer = DAGCBORWriter()
        writer.appendText("/ipfs/x")
        textValue[1].1 = writer.bytes
        #expect(throws: DAGCBORError.wrongType(field: "Value", expected: "a byte string")) {
            try IPNSRecordData(decoding: Self.map(textValue))
        }
        var negative = Self.goodEntries
        negative[2].1 = [0x20]  // -1
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(negative)) }
        var huge = Self.goodEntries
        huge[2].1 = Self.cborUnsigned(UInt64(Int64.max) + 1)
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(huge)) }
        var missing = Self.goodEntries
        missing.remove(at: 0)
        #expect(throws: DAGCBORError.missingField("TTL")) { try IPNSRecordData(decoding: Self.map(missing)) }
        #expect(throws: DAGCBORError.notAMap) { try IPNSRecordData(decoding: [0x80]) }
    }

    @Test func unknownFieldsAreCheckedThenIgnored() throws {
        // "_ext" sorts first (4 bytes, after the 3-byte TTL): a map holding a list, a CID, null and a float.
        var nested: [UInt8] = [0xa1, 0x61, 0x61, 0x84]  // {"a": [
        nested += [0xd8, 0x2a, 0x45, 0x00, 0x01, 0x55, 0x00, 0x00]  // tag 42, bytes 00 01 55 00 00
        nested += [0xf6]  // null
        nested += [0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]  // 1.5 as a 64-bit float
        nested += [0x63, 0x61, 0x62, 0x63]  // "abc"
        var entries = Self.goodEntries
        entries.insert(("_ext", nested), at: 1)
        let data = try IPNSRecordData(decoding: Self.map(entries))
        #expect(data.unknownFieldCount == 1)
        #expect(data.value == Array("/ipfs/x".utf8))
    }

    @Test(arguments: [
        ("half float", [0xf9, 0x3c, 0x00] as [UInt8]),
        ("single float", [0xfa, 0x3f, 0xc0, 0x00, 0x00]),
        ("undefined", [0xf7]),
        ("NaN", [0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]),
        ("tag 1", [0xc1, 0x00]),
        ("tag 42 over text", [0xd8, 0x2a, 0x61, 0x61]),
        ("reserved", [0x1c]),
        ("bad UTF-8", [0x62, 0xc3, 0x28]),
        ("integer key", [0xa1, 0x01, 0x01]),
        ("truncated", [0x5a, 0x00, 0x01, 0x00, 0x00]),
    ])
    func unknownFieldsThatAreNotDAGCBORAreRefused(label: String, value: [UInt8]) {
        var entries = Self.goodEntries
        entries.insert(("_ext", value), at: 1)
        #expect(throws: DAGCBORError.self, "\(label)") { try IPNSRecordData(decoding: Self.map(entries)) }
    }

    @Test func deepNestingIsRefused() {
        let deep = [UInt8](repeating: 0x81, count: 40) + [0x00]  // [[[…[0]…]]]
        var entries = Self.goodEntries
        entries.insert(("_ext", deep), at: 1)
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(entries)) }
    }

    @Test func truncationAtEveryLengthIsRefused() {
        let bytes = Self.sample.encoded()
        for length in 0..<bytes.count {
            #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Array(bytes[..<length])) }
        }
        #expect(throws: DAGCBORError.trailingBytes(offset: bytes.count)) {
            try IPNSRecordData(decoding: bytes + [0x00])
        }
    }

    @Test func aHugeCountEndsAsTruncatedWithoutAllocating() {
        // A map claiming 2^64 - 1 entries, an array claiming as many items.
        #expect(throws: DAGCBORError.self) {
            try IPNSRecordData(decoding: [0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        }
        var entries = Self.goodEntries
        entries.insert(("_ext", [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), at: 1)
        #expect(throws: DAGCBORError.self) { try IPNSRecordData(decoding: Self.map(entries)) }
    }
}
