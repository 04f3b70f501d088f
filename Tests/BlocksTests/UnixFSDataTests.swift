import Testing

@testable import Blocks

@Suite struct UnixFSDataTests {
    @Test func encodesFileNodesAsKuboDoes() throws {
        // Type=File, filesize=262145, blocksizes 262144 and 1, unpacked: one 0x20 key per entry.
        let data = UnixFSData.fileNode(blocksizes: [262_144, 1])
        #expect(data.filesize == 262_145)
        #expect(data.encoded() == [0x08, 0x02, 0x18, 0x81, 0x80, 0x10, 0x20, 0x80, 0x80, 0x10, 0x20, 0x01])
        #expect(try UnixFSData(decoding: data.encoded()) == data)
    }

    @Test func decodesPackedAndUnpackedBlocksizes() throws {
        let packed: [UInt8] = [0x08, 0x02, 0x18, 0x05, 0x22, 0x02, 0x02, 0x03]
        #expect(try UnixFSData(decoding: packed).blocksizes == [2, 3])
        let mixed: [UInt8] = [0x08, 0x02, 0x20, 0x01, 0x22, 0x02, 0x02, 0x03, 0x20, 0x04]
        #expect(try UnixFSData(decoding: mixed).blocksizes == [1, 2, 3, 4])
    }

    @Test func roundTripsEveryField() throws {
        let data = UnixFSData(
            type: .symlink, data: Array("target".utf8), filesize: 6, blocksizes: [], hashType: 0x22, fanout: 256,
            mode: 0o755, mtime: .init(seconds: -5, fractionalNanoseconds: 999_999_999))
        #expect(try UnixFSData(decoding: data.encoded()) == data)
        let directory = UnixFSData(type: .directory)
        #expect(directory.encoded() == [0x08, 0x01])
        #expect(try UnixFSData(decoding: [0x08, 0x01]) == directory)
    }

    @Test func skipsUnknownFields() throws {
        // Field 9 (varint) and field 10 (bytes) are not in the schema; proto2 skips them.
        let bytes: [UInt8] = [0x08, 0x02, 0x48, 0x07, 0x52, 0x01, 0x00, 0x18, 0x00]
        #expect(try UnixFSData(decoding: bytes) == UnixFSData(type: .file, filesize: 0))
    }

    @Test func rejectsMalformedMessages() {
        #expect(throws: UnixFSError.missingType) { try UnixFSData(decoding: [0x18, 0x05]) }
        #expect(throws: UnixFSError.missingType) { try UnixFSData(decoding: []) }
        #expect(throws: UnixFSError.unknownDataType(9, offset: 0)) { try UnixFSData(decoding: [0x08, 0x09]) }
        #expect(throws: UnixFSError.duplicateField(field: 3, offset: 4)) {
            try UnixFSData(decoding: [0x08, 0x02, 0x18, 0x01, 0x18, 0x02])
        }
        #expect(throws: UnixFSError.wrongWireType(field: 1, wireType: 2, offset: 0)) {
            try UnixFSData(decoding: [0x0a, 0x00])
        }
        #expect(throws: UnixFSError.wrongWireType(field: 4, wireType: 5, offset: 2)) {
            try UnixFSData(decoding: [0x08, 0x02, 0x25, 0, 0, 0, 0])
        }
        #expect(throws: UnixFSError.truncated(offset: 4)) { try UnixFSData(decoding: [0x08, 0x02, 0x12, 0x05, 0x61]) }
        #expect(throws: UnixFSError.varint(.truncated(offset: 3))) {
            try UnixFSData(decoding: [0x08, 0x02, 0x18, 0x80])
        }
        #expect(throws: UnixFSError.valueOutOfRange(field: 7, offset: 2)) {
            try UnixFSData(decoding: [0x08, 0x02, 0x38, 0x80, 0x80, 0x80, 0x80, 0x10])
        }
        #expect(throws: UnixFSError.missingTimeSeconds(offset: 4)) {
            try UnixFSData(decoding: [0x08, 0x02, 0x42, 0x00])
        }
    }
}
