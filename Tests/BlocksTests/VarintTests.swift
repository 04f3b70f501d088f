import Testing

@testable import Blocks

@Suite struct VarintTests {
    static let examples: [(value: UInt64, bytes: [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (127, [0x7f]),
        (128, [0x80, 0x01]),
        (255, [0xff, 0x01]),
        (300, [0xac, 0x02]),
        (16384, [0x80, 0x80, 0x01]),
        (0x70, [0x70]),
        ((1 << 63) - 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
    ]

    @Test(arguments: examples)
    func encodesAsTheSpecExamples(value: UInt64, bytes: [UInt8]) throws {
        #expect(Varint.encode(value) == bytes)
        #expect(Varint.encodedCount(value) == bytes.count)
        let decoded = try Varint.decode(bytes)
        #expect(decoded.value == value)
        #expect(decoded.byteCount == bytes.count)
    }

    @Test func roundTripsAcrossTheRange() throws {
        var value: UInt64 = 1
        while value < UInt64(1) << 63 {
            for candidate in [value - 1, value, value + 1] {
                let decoded = try Varint.decode(Varint.encode(candidate))
                #expect(decoded.value == candidate)
            }
            value <<= 1
        }
    }

    @Test func decodesOnlyTheFirstVarint() throws {
        let decoded = try Varint.decode([0xac, 0x02, 0x55, 0x12])
        #expect(decoded.value == 300)
        #expect(decoded.byteCount == 2)
    }

    @Test func rejectsTruncatedInput() {
        #expect(throws: VarintError.truncated(offset: 0)) { try Varint.decode([]) }
        #expect(throws: VarintError.truncated(offset: 0)) { try Varint.decode([0x80]) }
        #expect(throws: VarintError.truncated(offset: 0)) { try Varint.decode([0xff, 0xff]) }
    }

    @Test func rejectsOverlongEncodings() {
        // The spec's MUST: minimal encoding. 0x80 0x00 is a second way to write 0.
        #expect(throws: VarintError.notMinimal(offset: 0)) { try Varint.decode([0x80, 0x00]) }
        #expect(throws: VarintError.notMinimal(offset: 0)) { try Varint.decode([0x81, 0x80, 0x00]) }
    }

    @Test func rejectsMoreThanNineBytes() {
        let ten: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        #expect(throws: VarintError.tooLong(offset: 0)) { try Varint.decode(ten) }
        #expect(throws: VarintError.tooLong(offset: 0)) { try Varint.decode([UInt8](repeating: 0x80, count: 12)) }
    }

    @Test func protobufVarintsTakeTenBytesButNotMore() throws {
        let max: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        #expect(Varint.encode(UInt64.max) == max)
        var position = 0
        let value = try Varint.decode(max, at: &position, limit: max.count, maxByteCount: 10)
        #expect(value == UInt64.max)
        #expect(position == 10)
        // A 10th byte carrying more than the 64th bit overflows.
        var overflowPosition = 0
        let overflow: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]
        #expect(throws: VarintError.tooLong(offset: 0)) {
            try Varint.decode(overflow, at: &overflowPosition, limit: overflow.count, maxByteCount: 10)
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(VarintError.truncated(offset: 3).description == "varint at offset 3 is truncated")
    }
}
