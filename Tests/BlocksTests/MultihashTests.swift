import DHTCrypto
import Testing

@testable import Blocks

@Suite struct MultihashTests {
    @Test func encodesSHA256WithItsHeader() throws {
        let multihash = Multihash(hashing: Array("hello world".utf8))
        let bytes = multihash.bytes
        #expect(bytes.count == 34)
        #expect(Array(bytes[0..<2]) == [0x12, 0x20])
        #expect(
            Hex.encode(bytes[2...]) == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        #expect(try Multihash(decoding: bytes) == multihash)
        #expect(multihash.matches(Array("hello world".utf8)))
        #expect(!multihash.matches(Array("hello world\n".utf8)))
    }

    @Test func rejectsOtherHashFunctions() {
        // sha2-512 (0x13) with a 64-byte digest.
        #expect(throws: MultihashError.unsupportedHashFunction(0x13)) {
            try Multihash(decoding: [0x13, 0x40] + [UInt8](repeating: 1, count: 64))
        }
        // blake2b-256 (0xb220, a two-byte varint).
        #expect(throws: MultihashError.unsupportedHashFunction(0xb220)) {
            try Multihash(decoding: [0xa0, 0xe4, 0x02, 0x20] + [UInt8](repeating: 1, count: 32))
        }
        #expect(MultihashError.unsupportedHashFunction(0x13).description.contains("sha2-512"))
    }

    @Test func rejectsWrongOrShortDigests() {
        #expect(throws: MultihashError.digestLength(expected: 32, actual: 16)) {
            try Multihash(decoding: [0x12, 0x10] + [UInt8](repeating: 1, count: 16))
        }
        #expect(throws: MultihashError.truncatedDigest(expected: 32, available: 31)) {
            try Multihash(decoding: [0x12, 0x20] + [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: MultihashError.trailingBytes(count: 1)) {
            try Multihash(decoding: [0x12, 0x20] + [UInt8](repeating: 1, count: 33))
        }
        #expect(throws: MultihashError.varint(.truncated(offset: 0))) { try Multihash(decoding: []) }
        #expect(throws: MultihashError.varint(.truncated(offset: 1))) { try Multihash(decoding: [0x12]) }
    }
}
