import Blocks
import Testing

@testable import Names

/// The IpnsEntry protobuf: field by field, unknown fields, malformed input.
@Suite struct IPNSEntryTests {
    static let full = IPNSEntry(
        value: Array("/ipfs/x".utf8),
        signatureV1: [UInt8](repeating: 1, count: 64),
        validityType: 0,
        validity: Array("2123-08-14T12:17:03Z".utf8),
        sequence: 300,
        ttl: 300_000_000_000,
        publicKey: [8, 1, 18, 32] + [UInt8](repeating: 2, count: 32),
        signatureV2: [UInt8](repeating: 3, count: 64),
        data: [0xa0]
    )

    @Test func roundTripsEveryField() throws {
        let bytes = Self.full.encoded()
        #expect(try IPNSEntry(decoding: bytes) == Self.full)
        #expect(try IPNSEntry(decoding: bytes).encoded() == bytes)
        #expect(try IPNSEntry(decoding: []) == IPNSEntry(), "an empty message has no fields")
    }

    @Test func fieldsAreWrittenInFieldNumberOrderWithTheirKeys() {
        let bytes = IPNSEntry(validityType: 0, sequence: 1, signatureV2: [9], data: [7]).encoded()
        // 0x18 = field 3 varint, 0x28 = field 5 varint, 0x42 = field 8 bytes, 0x4a = field 9 bytes.
        #expect(bytes == [0x18, 0x00, 0x28, 0x01, 0x42, 0x01, 0x09, 0x4a, 0x01, 0x07])
    }

    @Test func unknownFieldsAreSkipped() throws {
        var bytes = IPNSEntry(signatureV2: [9], data: [7]).encoded()
        bytes += [0x50, 0x96, 0x01]  // field 10, varint 150
        bytes += [0x5a, 0x02, 0xaa, 0xbb]  // field 11, 2 bytes
        bytes += [0x61] + [UInt8](repeating: 0, count: 8)  // field 12, fixed64
        bytes += [0x6d, 0, 0, 0, 0]  // field 13, fixed32
        #expect(try IPNSEntry(decoding: bytes) == IPNSEntry(signatureV2: [9], data: [7]))
    }

    @Test func theLastOfARepeatedFieldWins() throws {
        let bytes: [UInt8] = [0x4a, 0x01, 0x01, 0x4a, 0x01, 0x02]
        #expect(try IPNSEntry(decoding: bytes).data == [0x02])
    }

    @Test func truncationAtEveryLengthIsRefusedOrAPrefixMessage() {
        let bytes = Self.full.encoded()
        for length in 0..<bytes.count {
            // A cut between fields is a shorter valid message; any other cut is malformed.
            if let entry = try? IPNSEntry(decoding: Array(bytes[..<length])) {
                #expect(entry.encoded() == Array(bytes[..<length]))
            }
        }
        #expect(throws: IPNSRecordError.self) { try IPNSEntry(decoding: [0x4a, 0x05, 0x01]) }
        #expect(throws: IPNSRecordError.self) { try IPNSEntry(decoding: [0x28]) }
        #expect(throws: IPNSRecordError.self) { try IPNSEntry(decoding: [0x28, 0x80]) }
    }

    @Test(arguments: [
        ("value as varint", [0x08, 0x01] as [UInt8]),
        ("sequence as bytes", [0x2a, 0x01, 0x00]),
        ("data as fixed32", [0x4d, 0, 0, 0, 0]),
        ("a group", [0x53, 0x54]),
        ("field 0", [0x02, 0x00]),
        ("wire type 7", [0x57]),
        ("a varint of 11 bytes", [0x28] + [UInt8](repeating: 0xff, count: 10) + [0x01]),
        ("a non-minimal varint", [0x28, 0x81, 0x00]),
    ])
    func malformedMessagesAreRefused(label: String, bytes: [UInt8]) {
        #expect(throws: IPNSRecordError.self, "\(label)") { try IPNSEntry(decoding: bytes) }
        do {
            _ = try IPNSEntry(decoding: bytes)
        } catch {
            #expect(error.reason == "malformed_entry", "\(label)")
        }
    }
}
