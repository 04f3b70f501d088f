import Blocks
import DHTCrypto
import Testing

@testable import Exchange

/// A raw-leaf CID of `text`'s bytes.
func rawCID(_ text: String) -> CID {
    .raw(Multihash(hashing: Array(text.utf8)))
}

/// Lowercase hex of `bytes`.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

@Suite("Exchange message codec")
struct ExchangeMessageCodecTests {
    static let hello = rawCID("hello")
    static let helloHex = "015512202cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

    static let samples: [ExchangeMessage] = [
        .wantHave([ExchangeWant(cid: hello, priority: 7, sendDontHave: true)]),
        .wantBlock([
            ExchangeWant(cid: hello, priority: .max, sendDontHave: false),
            ExchangeWant(cid: rawCID("world"), priority: 0, sendDontHave: true),
        ]),
        .cancel([hello, rawCID("a"), rawCID("b")]),
        .have([hello]),
        .dontHave([rawCID("x")]),
        .block(hello, bytes: Array("hello".utf8)),
        .block(.raw(Multihash(hashing: [UInt8]())), bytes: []),
        .have([.v0(Multihash(hashing: Array("v0".utf8)))]),
        .cancel((0..<ExchangeMessage.maxEntries).map { rawCID("\($0)") }),
        .padding(byteCount: 0),
        .padding(byteCount: 5),
        .padding(byteCount: ExchangeMessage.maxPaddingByteCount),
        .holePunch([0x02]),
        .holePunch(Array(repeating: 0xab, count: ExchangeMessage.maxHolePunchByteCount)),
    ]

    /// A frame split by the secure channel (a head and a payload) decodes as the whole would; a `BLOCK` split at
    /// its block bytes keeps the payload as the block's bytes.
    @Test("a message in two pieces decodes as the whole, wherever it is split", arguments: samples)
    func twoPieces(message: ExchangeMessage) throws {
        let encoded = try message.encoded()
        let offset = encoded.withUnsafeBytes { ExchangeMessage.blockBytesOffset(in: UnsafeRawBufferPointer(rebasing: $0.prefix(64))) }
        if case .block(let cid, _) = message {
            #expect(offset == ExchangeMessage.blockHeaderCount(cid))
        } else {
            #expect(offset == nil)
        }
        for split in Set([0, 1, 2, 3, offset ?? 0, encoded.count / 2, encoded.count]) where split <= encoded.count {
            let decoded = try ExchangeMessage(decoding: Array(encoded[..<split]), blockBytes: Array(encoded[split...]))
            #expect(decoded == message, "split at \(split)")
        }
        // A broken message fails the same way in pieces as whole.
        var broken = encoded
        broken[0] = 9
        for split in [1, broken.count] {
            #expect(throws: ExchangeMessageError.unsupportedVersion(9)) {
                try ExchangeMessage(decoding: Array(broken[..<split]), blockBytes: Array(broken[split...]))
            }
        }
    }

    @Test("a BLOCK's offset needs its whole header in the prefix")
    func blockBytesOffsetNeedsTheHeader() throws {
        let encoded = try ExchangeMessage.block(Self.hello, bytes: [1, 2, 3]).encoded()
        let header = ExchangeMessage.blockHeaderCount(Self.hello)
        encoded.withUnsafeBytes { bytes in
            #expect(ExchangeMessage.blockBytesOffset(in: UnsafeRawBufferPointer(rebasing: bytes[..<header])) == header)
            #expect(ExchangeMessage.blockBytesOffset(in: UnsafeRawBufferPointer(rebasing: bytes[..<(header - 1)])) == nil)
            #expect(ExchangeMessage.blockBytesOffset(in: UnsafeRawBufferPointer(rebasing: bytes[..<2])) == nil)
        }
    }

    @Test("every sample round-trips and its encoding is canonical", arguments: samples)
    func roundTrip(_ message: ExchangeMessage) throws {
        let bytes = try message.encoded()
        #expect(bytes.count == message.encodedCount)
        let decoded = try ExchangeMessage(decoding: bytes)
        #expect(decoded == message)
        #expect(try decoded.encoded() == bytes)
    }

    @Test("golden bytes: WANT_BLOCK, HAVE and BLOCK")
    func golden() throws {
        let want = ExchangeMessage.wantBlock([ExchangeWant(cid: Self.hello, priority: 7, sendDontHave: true)])
        #expect(hex(try want.encoded()) == "0102" + "01" + "24" + Self.helloHex + "00000007" + "01")
        let have = ExchangeMessage.have([Self.hello])
        #expect(hex(try have.encoded()) == "0104" + "01" + "24" + Self.helloHex)
        let block = ExchangeMessage.block(Self.hello, bytes: Array("hello".utf8))
        #expect(hex(try block.encoded()) == "0106" + "24" + Self.helloHex + "68656c6c6f")
        var header: [UInt8] = []
        ExchangeMessage.appendBlockHeader(Self.hello, to: &header)
        #expect(header.count == ExchangeMessage.blockHeaderCount(Self.hello))
        #expect(hex(try ExchangeMessage.padding(byteCount: 3).encoded()) == "0107000000")
        // 300 entries: a two-byte varint count (0xac 0x02).
        let many = ExchangeMessage.cancel((0..<300).map { rawCID("\($0)") })
        #expect(Array(try many.encoded()[0..<4]) == [0x01, 0x03, 0xac, 0x02])
    }

    static func bytes(_ hexString: String) -> [UInt8] {
        var output: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            output.append(UInt8(hexString[index..<next], radix: 16)!)
            index = next
        }
        return output
    }

    static let cid = "24" + helloHex

    @Test(
        "every decoding error, with its offset and reason",
        arguments: [
            ("", ExchangeMessageError.truncated(.version, offset: 0)),
            ("02", .unsupportedVersion(2)),
            ("01", .truncated(.type, offset: 1)),
            ("0100", .unknownType(0)),
            ("0109", .unknownType(9)),
            ("0108", .holePunchLength(0, offset: 2)),
            ("0107000001", .nonZeroPadding(offset: 4)),
            ("010780", .nonZeroPadding(offset: 2)),
            ("0101", .truncated(.count, offset: 2)),
            ("010180", .truncated(.count, offset: 3)),
            ("01018100", .nonMinimalVarint(offset: 2)),
            ("010180808080808080808000", .nonMinimalVarint(offset: 2)),
            ("010100", .emptyList(offset: 2)),
            ("0101810800", .tooManyEntries(1025, offset: 2)),
            ("010101", .truncated(.cidLength, offset: 3)),
            ("01010100", .badCIDLength(0, offset: 3)),
            ("01010141", .badCIDLength(65, offset: 3)),
            ("0101012401", .truncated(.cid, offset: 4)),
            ("01010102" + "0155", .invalidCID(.multihash(.varint(.truncated(offset: 2))), offset: 4)),
            ("010101" + cid, .truncated(.priority, offset: 40)),
            ("010101" + cid + "00000001", .truncated(.flags, offset: 44)),
            ("010101" + cid + "0000000102", .unknownFlags(2, offset: 44)),
            ("010401" + cid + "00", .trailingBytes(1, offset: 40)),
            ("0106", .truncated(.cidLength, offset: 2)),
        ] as [(String, ExchangeMessageError)]
    )
    func decodingErrors(_ input: String, _ expected: ExchangeMessageError) {
        #expect(throws: expected) { try ExchangeMessage(decoding: Self.bytes(input)) }
        #expect(expected.offset >= 0)
        #expect(!expected.description.isEmpty)
    }

    @Test("size limits: a message over the frame limit, a block over 2 MiB")
    func sizeLimits() {
        let header = Self.bytes("0106" + Self.cid)
        let overBlock = header + [UInt8](repeating: 0, count: Block.maxByteCount + 1)
        #expect(throws: ExchangeMessageError.blockTooLarge(Block.maxByteCount + 1, offset: 39)) {
            try ExchangeMessage(decoding: overBlock)
        }
        let tooLarge = [UInt8](repeating: 1, count: ExchangeMessage.maxByteCount + 1)
        #expect(throws: ExchangeMessageError.tooLarge(byteCount: tooLarge.count)) {
            try ExchangeMessage(decoding: tooLarge)
        }
        #expect(ExchangeMessageError.tooLarge(byteCount: 1).offset == ExchangeMessage.maxByteCount)
    }

    @Test("encoding refuses what a receiver would reject")
    func encodingErrors() {
        #expect(throws: ExchangeMessageEncodingError.emptyList(.have)) { try ExchangeMessage.have([]).encoded() }
        let many = (0...ExchangeMessage.maxEntries).map { ExchangeWant(cid: rawCID("\($0)")) }
        #expect(throws: ExchangeMessageEncodingError.tooManyEntries(.wantHave, many.count)) {
            try ExchangeMessage.wantHave(many).encoded()
        }
        let big = [UInt8](repeating: 0, count: Block.maxByteCount + 1)
        #expect(throws: ExchangeMessageEncodingError.blockTooLarge(big.count)) {
            try ExchangeMessage.block(Self.hello, bytes: big).encoded()
        }
        for count in [0, ExchangeMessage.maxHolePunchByteCount + 1] {
            #expect(throws: ExchangeMessageEncodingError.holePunchOutOfRange(count)) {
                try ExchangeMessage.holePunch(Array(repeating: 1, count: count)).encoded()
            }
        }
        for count in [-1, ExchangeMessage.maxPaddingByteCount + 1] {
            #expect(throws: ExchangeMessageEncodingError.paddingOutOfRange(count)) {
                try ExchangeMessage.padding(byteCount: count).encoded()
            }
        }
    }

    @Test("reasons are stable, distinct labels")
    func reasons() {
        let errors: [ExchangeMessageError] = [
            .tooLarge(byteCount: 0), .truncated(.type, offset: 0), .unsupportedVersion(0), .unknownType(0),
            .nonMinimalVarint(offset: 0), .emptyList(offset: 0), .tooManyEntries(0, offset: 0),
            .badCIDLength(0, offset: 0), .invalidCID(.empty, offset: 0), .unknownFlags(0, offset: 0),
            .blockTooLarge(0, offset: 0), .trailingBytes(0, offset: 0), .nonZeroPadding(offset: 0),
            .holePunchLength(0, offset: 0),
        ]
        let reasons = errors.map(\.reason)
        #expect(Set(reasons).count == errors.count)
        #expect(reasons.contains("non-minimal-varint"))
    }

    @Test("mutations: every truncation and single-byte change throws or decodes canonically")
    func mutations() throws {
        for message in Self.samples.prefix(8) {
            let bytes = try message.encoded()
            for length in 0..<bytes.count {
                Self.checkCanonical(Array(bytes[0..<length]))
            }
            for index in bytes.indices {
                for delta: UInt8 in [1, 0x80, 0xff] {
                    var mutated = bytes
                    mutated[index] &+= delta
                    Self.checkCanonical(mutated)
                }
            }
            Self.checkCanonical(bytes + [0])
        }
    }

    static func checkCanonical(_ bytes: [UInt8]) {
        do {
            let message = try ExchangeMessage(decoding: bytes)
            #expect((try? message.encoded()) == bytes)
        } catch {
            #expect(error.offset >= 0 && error.offset <= ExchangeMessage.maxByteCount)
        }
    }
}
