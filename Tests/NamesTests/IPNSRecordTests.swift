import Blocks
import DHTCrypto
import Testing

@testable import Names

/// Records made here: what they hold, and each reason validation refuses one.
@Suite struct IPNSRecordTests {
    /// RFC 8032's first test key, so records are the same bytes on every run.
    static let key = try! NodeIdentity(
        seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    static let name = IPNSName(publicKey: key.publicKey)
    static let now = IPNSTime(secondsSince1970: 1_750_000_000)
    static let expiry = now.adding(.seconds(48 * 3600))!
    static let value = "/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"

    static func make(v1Compatible: Bool = true, sequence: UInt64 = 5) throws -> IPNSRecord {
        try IPNSRecord.make(
            value: value,
            sequence: sequence,
            validity: expiry,
            ttl: .seconds(300),
            key: key,
            v1Compatible: v1Compatible
        )
    }

    /// Signs `data` (with `mutate` applied to the entry afterwards), for records with chosen defects.
    static func signed(_ data: IPNSRecordData, mutate: (inout IPNSEntry) -> Void = { _ in }) -> [UInt8] {
        let bytes = data.encoded()
        var entry = IPNSEntry(signatureV2: key.sign(IPNSRecord.signatureV2Prefix + bytes), data: bytes)
        mutate(&entry)
        return entry.encoded()
    }

    static func reason(_ bytes: [UInt8], name: IPNSName = name, now: IPNSTime = now) -> String? {
        do {
            _ = try IPNSRecord(validating: bytes, for: name, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    static var goodData: IPNSRecordData {
        IPNSRecordData(
            value: Array(value.utf8),
            validity: Array(expiry.rfc3339!.utf8),
            sequence: 1,
            ttl: 300_000_000_000
        )
    }

    // MARK: Making

    @Test func aMadeRecordValidatesAndHoldsItsFields() throws {
        let record = try Self.make()
        let checked = try IPNSRecord(validating: record.bytes, for: Self.name, now: Self.now)
        #expect(checked == record)
        #expect(checked.value == Self.value)
        #expect(checked.sequence == 5)
        #expect(checked.ttl == .seconds(300))
        #expect(checked.validity == Self.expiry)
        #expect(checked.data.validity == Array("2025-06-17T15:06:40Z".utf8))
        #expect(checked.entry.publicKey == nil, "an Ed25519 name holds its key")
    }

    @Test func v1CompatibleRecordsCarryV1CopiesAndAV1Signature() throws {
        let record = try Self.make()
        let entry = record.entry
        #expect(entry.value == Array(Self.value.utf8))
        #expect(entry.validity == record.data.validity)
        #expect(entry.validityType == 0 && entry.sequence == 5 && entry.ttl == 300_000_000_000)
        let v1 = IPNSRecord.signatureV1Input(value: entry.value!, validity: entry.validity!)
        #expect(Self.name.publicKey.isValidSignature(entry.signatureV1!, for: v1))

        let v2Only = try Self.make(v1Compatible: false)
        #expect(v2Only.entry == IPNSEntry(signatureV2: v2Only.entry.signatureV2, data: v2Only.entry.data))
        #expect(v2Only.bytes.count < record.bytes.count)
        #expect(try IPNSRecord(validating: v2Only.bytes, for: Self.name, now: Self.now) == v2Only)
    }

    @Test func makingIsDeterministic() throws {
        #expect(try Self.make().bytes == Self.make().bytes, "Ed25519 signs deterministically")
    }

    @Test func makingRefusesFieldsThatCannotBeWritten() {
        #expect(throws: IPNSRecordError.self) {
            try IPNSRecord.make(value: "", sequence: 0, validity: Self.expiry, ttl: .zero, key: Self.key)
        }
        #expect(throws: IPNSRecordError.self) {
            try IPNSRecord.make(value: "/ipfs/x", sequence: .max, validity: Self.expiry, ttl: .zero, key: Self.key)
        }
        #expect(throws: IPNSRecordError.self) {
            try IPNSRecord.make(value: "/ipfs/x", sequence: 0, validity: Self.expiry, ttl: .seconds(-1), key: Self.key)
        }
        #expect(throws: IPNSRecordError.self) {
            let far = IPNSTime(secondsSince1970: 400_000_000_000)  // year 12,000
            return try IPNSRecord.make(value: "/ipfs/x", sequence: 0, validity: far, ttl: .zero, key: Self.key)
        }
        let big = "/ipfs/" + String(repeating: "a", count: 5000)
        #expect(throws: IPNSRecordError.tooLarge(byteCount: 10247)) {
            try IPNSRecord.make(value: big, sequence: 0, validity: Self.expiry, ttl: .zero, key: Self.key)
        }
        #expect(throws: Never.self) {
            try IPNSRecord.make(
                value: big,
                sequence: 0,
                validity: Self.expiry,
                ttl: .zero,
                key: Self.key,
                v1Compatible: false
            )
        }
    }

    // MARK: Each reason

    @Test func oversizeIsRefusedBeforeParsing() throws {
        let record = try Self.make()
        let padded = record.bytes + [0x5a, 0xc0, 0x50] + [UInt8](repeating: 0, count: 10_240)  // field 11
        #expect(Self.reason(padded) == "too_large")
        let justUnder =
            record.bytes + [0x5a] + Varint.encode(UInt64(10_237 - record.bytes.count))
            + [UInt8](repeating: 0, count: 10_237 - record.bytes.count)
        #expect(justUnder.count == IPNSRecord.maximumByteCount)
        #expect(Self.reason(justUnder) == nil, "exactly 10 KiB is allowed, unknown fields skipped")
    }

    @Test func missingSignatureOrData() {
        let noSignature = IPNSEntry(data: Self.goodData.encoded()).encoded()
        #expect(Self.reason(noSignature) == "missing_signature_v2")
        let emptySignature = IPNSEntry(signatureV2: [], data: Self.goodData.encoded()).encoded()
        #expect(Self.reason(emptySignature) == "missing_signature_v2")
        #expect(Self.reason(IPNSEntry(signatureV2: [1]).encoded()) == "missing_data")
        #expect(Self.reason(IPNSEntry(signatureV2: [1], data: []).encoded()) == "missing_data")
    }

    @Test func embeddedPublicKeys() {
        let own = Libp2pPublicKey.encode(Self.key.publicKey)
        #expect(Self.reason(Self.signed(Self.goodData) { $0.publicKey = own }) == nil, "pubKey equal to the name's")
        let other = Libp2pPublicKey.encode(NodeIdentity.generate().publicKey)
        #expect(Self.reason(Self.signed(Self.goodData) { $0.publicKey = other }) == "public_key_mismatch")
        let rsa: [UInt8] = [0x08, 0x00, 0x12, 0x03, 1, 2, 3]
        #expect(Self.reason(Self.signed(Self.goodData) { $0.publicKey = rsa }) == "unsupported_key_type")
        #expect(Self.reason(Self.signed(Self.goodData) { $0.publicKey = [0x08, 0x01] }) == "malformed_public_key")
    }

    @Test func malformedDataComesBeforeTheSignature() {
        // The spec decodes data (step 4) before checking the signature (step 6).
        let entry = IPNSEntry(signatureV2: [UInt8](repeating: 0, count: 64), data: [0xa5, 0x00])
        #expect(Self.reason(entry.encoded()) == "malformed_data")
    }

    @Test func aSignatureOverOtherBytesIsRefused() {
        let bytes = Self.signed(Self.goodData) { entry in
            var other = Self.goodData
            other.sequence = 2
            entry.data = other.encoded()  // signed sequence 1, carries sequence 2
        }
        #expect(Self.reason(bytes) == "bad_signature_v2")
        let noPrefix = IPNSEntry(signatureV2: Self.key.sign(Self.goodData.encoded()), data: Self.goodData.encoded())
        #expect(Self.reason(noPrefix.encoded()) == "bad_signature_v2", "the prefix ipns-signature: is signed too")
    }

    @Test(arguments: ["Value", "Validity", "ValidityType", "Sequence", "TTL"])
    func eachV1FieldMustMatch(field: String) throws {
        let record = try Self.make()
        var entry = record.entry
        switch field {
        case "Value": entry.value = Array("/ipfs/other".utf8)
        case "Validity": entry.validity = Array("2125-01-01T00:00:00Z".utf8)
        case "ValidityType": entry.validityType = 1
        case "Sequence": entry.sequence = 6
        default: entry.ttl = 1
        }
        #expect(throws: IPNSRecordError.v1Mismatch(field: field)) {
            try IPNSRecord(validating: entry.encoded(), for: Self.name, now: Self.now)
        }
    }

    @Test func v1FieldsAreOnlyComparedWhenValueOrSignatureV1IsPresent() throws {
        // Copies without value and signatureV1 are not checked (as the spec's step 7 and boxo).
        let bytes = Self.signed(Self.goodData) { $0.sequence = 99 }
        #expect(Self.reason(bytes) == nil)
        // With a signatureV1, an absent value counts as empty and differs from Value.
        let withSignature = Self.signed(Self.goodData) { $0.signatureV1 = [1] }
        #expect(Self.reason(withSignature) == "v1_mismatch")
    }

    @Test func validityTypeAndText() {
        var unknownType = Self.goodData
        unknownType.validityType = 1
        #expect(Self.reason(Self.signed(unknownType)) == "unsupported_validity_type")
        for text in ["tomorrow", "2123-08-14 12:17:03Z", "2123-02-30T00:00:00Z", "2123-08-14T12:17:03", ""] {
            var bad = Self.goodData
            bad.validity = Array(text.utf8)
            #expect(Self.reason(Self.signed(bad)) == "malformed_validity", "\(text)")
        }
    }

    @Test func expiryAgainstAnInjectedNow() throws {
        let record = try Self.make()
        #expect(Self.reason(record.bytes, now: Self.expiry.adding(.nanoseconds(-1))!) == nil)
        #expect(Self.reason(record.bytes, now: Self.expiry) == "expired", "valid only while validity > now")
        #expect(Self.reason(record.bytes, now: Self.expiry.adding(.seconds(1))!) == "expired")
        let checked = try IPNSRecord(validating: record.bytes, for: Self.name, now: Self.now)
        #expect(!checked.isExpired(at: Self.now))
        #expect(checked.isExpired(at: Self.expiry))
    }

    @Test func aNewerRecordHasAHigherSequenceThenALaterValidity() throws {
        let old = try Self.make(sequence: 1)
        let new = try Self.make(sequence: 2)
        #expect(new.isNewer(than: old) && !old.isNewer(than: new))
        let later = try IPNSRecord.make(
            value: Self.value,
            sequence: 1,
            validity: Self.expiry.adding(.seconds(1))!,
            ttl: .zero,
            key: Self.key
        )
        #expect(later.isNewer(than: old))
        #expect(!old.isNewer(than: old))
    }

    @Test func everyReasonHasAStableDistinctWord() {
        let errors: [IPNSRecordError] = [
            .tooLarge(byteCount: 1), .malformedEntry(""), .missingSignatureV2, .missingData, .unsupportedKeyType(0),
            .malformedPublicKey(""), .publicKeyMismatch, .malformedData(.notAMap), .badSignatureV2,
            .v1Mismatch(field: "Value"), .unsupportedValidityType(1), .malformedValidity,
            .expired(validity: Self.now), .fieldOutOfRange(field: "TTL", detail: ""),
        ]
        #expect(Set(errors.map(\.reason)).count == errors.count)
        for error in errors {
            #expect(error.reason.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(error.reason)")
            #expect(!error.description.contains("\n"))
        }
    }
}
