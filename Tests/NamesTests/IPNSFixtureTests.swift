import DHTCrypto
import Testing

@testable import Names

/// The spec's six test vectors: which validate, which are refused and why, their names and values.
@Suite struct IPNSFixtureTests {
    @Test func allSixVectorsArePresent() {
        #expect(
            IPNSFixture.all.map(\.kind).sorted() == [
                "v1", "v1-v2", "v1-v2-broken-signature-v1", "v1-v2-broken-signature-v2", "v1-v2-broken-v1-value", "v2",
            ]
        )
    }

    /// The expected outcome of each vector: `nil` means valid.
    static let expectedReasons: [String: String?] = [
        "v1": "missing_signature_v2",
        "v1-v2": nil,
        "v2": nil,
        "v1-v2-broken-v1-value": "v1_mismatch",
        "v1-v2-broken-signature-v1": nil,
        "v1-v2-broken-signature-v2": "bad_signature_v2",
    ]

    @Test(arguments: IPNSFixture.all)
    func vectorValidatesOrIsRefusedForTheRightReason(fixture: IPNSFixture) throws {
        let name = try IPNSName(parsing: fixture.nameText)
        let expected = try #require(Self.expectedReasons[fixture.kind])
        do {
            let record = try IPNSRecord(validating: fixture.bytes, for: name, now: IPNSFixture.now)
            #expect(expected == nil, "\(fixture.kind) validated but should be refused: \(expected ?? "")")
            #expect(record.name == name)
            #expect(record.bytes == fixture.bytes)
        } catch {
            #expect(error.reason == expected, "\(fixture.kind): \(error)")
        }
    }

    @Test func brokenV1ValueNamesTheValueField() throws {
        let fixture = try #require(IPNSFixture.named("v1-v2-broken-v1-value"))
        #expect(throws: IPNSRecordError.v1Mismatch(field: "Value")) {
            try IPNSRecord(
                validating: fixture.bytes,
                for: try IPNSName(parsing: fixture.nameText),
                now: IPNSFixture.now
            )
        }
    }

    /// The file names' k51… names are the CIDs of the keys: parsing and printing gives the same text, the base32
    /// and peer-ID forms name the same key, and each valid record's signature verifies with that key (the
    /// records carry no pubKey: the key comes from the name alone).
    @Test(arguments: IPNSFixture.all)
    func fileNameIsTheRecordsName(fixture: IPNSFixture) throws {
        let name = try IPNSName(parsing: fixture.nameText)
        #expect(name.base36 == fixture.nameText)
        #expect(fixture.nameText.hasPrefix("k51"))
        #expect(try IPNSName(parsing: name.base32) == name)
        #expect(try IPNSName(parsing: name.peerID) == name)
        #expect(name.peerID.hasPrefix("12D3KooW"))
        #expect(try IPNSName(parsing: "/ipns/" + fixture.nameText) == name)
        #expect(try IPNSName(parsing: fixture.nameText.uppercased()) == name, "base36 ignores case (prefix K)")

        let entry = try IPNSEntry(decoding: fixture.bytes)
        #expect(entry.publicKey == nil, "Ed25519 records leave pubKey out")
        if let signature = entry.signatureV2, let data = entry.data, !fixture.kind.hasSuffix("broken-signature-v2") {
            #expect(name.publicKey.isValidSignature(signature, for: IPNSRecord.signatureV2Prefix + data))
        }
    }

    @Test func valuesDecodeToTheSpecsPaths() throws {
        let now = IPNSFixture.now
        let pairs = [
            ("v1-v2", "/ipfs/bafkqaddwgevxmmraojswg33smq"),
            ("v1-v2-broken-signature-v1", "/ipfs/bafkqahtwgevxmmrao5uxi2bamjzg623fnyqhg2lhnzqxi5lsmuqhmmi"),
        ]
        for (kind, path) in pairs {
            let fixture = try #require(IPNSFixture.named(kind))
            let record = try IPNSRecord(
                validating: fixture.bytes,
                for: try IPNSName(parsing: fixture.nameText),
                now: now
            )
            #expect(record.value == path)
            #expect(record.sequence == 0)
            #expect(record.ttl == .seconds(1800))
            #expect(record.validity.rfc3339 == "2123-08-14T12:17:03.694052Z")
        }
        let v2 = try #require(IPNSFixture.named("v2"))
        let record = try IPNSRecord(validating: v2.bytes, for: try IPNSName(parsing: v2.nameText), now: now)
        #expect(record.value.hasPrefix("/ipfs/bafkq"))
        #expect(record.entry.value == nil && record.entry.signatureV1 == nil, "a V2-only record")
    }

    /// The vectors (written by Go's boxo) re-encode byte for byte: entry fields in the same order, the data map in
    /// the same canonical form, so a record made here from the same fields and key has kubo's bytes.
    @Test(arguments: IPNSFixture.all)
    func vectorsReencodeByteForByte(fixture: IPNSFixture) throws {
        let entry = try IPNSEntry(decoding: fixture.bytes)
        #expect(entry.encoded() == fixture.bytes)
        if let data = entry.data {
            #expect(try IPNSRecordData(decoding: data).encoded() == data)
            // Validity as Go writes it: the fraction's trailing zeros dropped.
            let record = try IPNSRecordData(decoding: data)
            let validity = try #require(IPNSTime(rfc3339: String(decoding: record.validity, as: UTF8.self)))
            #expect(validity.rfc3339.map { Array($0.utf8) } == record.validity)
        }
    }

    /// The legacy V1 signature of the good v1-v2 vector is Ed25519 over value + validity + "EOL": what
    /// `IPNSRecord.make` writes for legacy readers.
    @Test func signatureV1InputMatchesKubos() throws {
        let fixture = try #require(IPNSFixture.named("v1-v2"))
        let name = try IPNSName(parsing: fixture.nameText)
        let entry = try IPNSEntry(decoding: fixture.bytes)
        let input = IPNSRecord.signatureV1Input(
            value: try #require(entry.value),
            validity: try #require(entry.validity)
        )
        #expect(name.publicKey.isValidSignature(try #require(entry.signatureV1), for: input))
    }

    /// Every valid vector is expired a moment after its validity, and valid a moment before.
    @Test func vectorsExpireAtTheirValidity() throws {
        let fixture = try #require(IPNSFixture.named("v2"))
        let name = try IPNSName(parsing: fixture.nameText)
        let end = try #require(IPNSTime(rfc3339: "2123-08-14T12:17:03.694052Z"))
        _ = try IPNSRecord(validating: fixture.bytes, for: name, now: try #require(end.adding(.nanoseconds(-1))))
        #expect(throws: IPNSRecordError.expired(validity: end)) {
            try IPNSRecord(validating: fixture.bytes, for: name, now: end)
        }
    }

    /// A vector checked against another vector's name fails on the signature (the key is the name's).
    @Test func aRecordDoesNotValidateForAnotherName() throws {
        let v2 = try #require(IPNSFixture.named("v2"))
        let other = try #require(IPNSFixture.named("v1-v2"))
        #expect(throws: IPNSRecordError.badSignatureV2) {
            try IPNSRecord(validating: v2.bytes, for: try IPNSName(parsing: other.nameText), now: IPNSFixture.now)
        }
    }
}
