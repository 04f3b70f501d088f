/// Reads a CAR v1 stream: the header, then verified blocks one section at a time.
///
/// Every block is hashed against the CID in front of it before it is returned; the first problem ends the read
/// with a ``CARError`` naming its byte offset: a bad header, a bad or truncated length prefix, a truncated
/// section, an empty or oversized section (rejected before its bytes are read), a CID that does not decode, or a
/// hash mismatch. Memory: one section at a time (at most a CID plus ``Block/maxByteCount``).
///
/// Sections may repeat a block (the spec leaves duplicates open; they are returned again) and need not form a DAG.
public struct CARReader<Source: CARByteSource> {
    /// The longest section accepted: a CID of any supported kind (at most 36 bytes), rounded up, plus the largest
    /// block.
    public static var maxSectionLength: UInt64 { UInt64(Block.maxByteCount + 64) }

    private var source: Source
    /// The offset of the next byte to read.
    public private(set) var offset: UInt64 = 0
    /// The header, once read.
    public private(set) var header: CARHeader?

    /// Reads from `source`, which must be at the start of the CAR.
    public init(_ source: Source) {
        self.source = source
    }

    /// Reads and checks the header (reading blocks does this first if needed).
    public mutating func readHeader() throws(CARError) -> CARHeader {
        if let header { return header }
        let start = offset
        guard let length = try readVarint(endAllowed: true) else { throw .badHeader(offset: start, .missing) }
        guard length > 0 else { throw .badHeader(offset: start, .empty) }
        guard length <= UInt64(CARHeader.maxByteCount) else { throw .badHeader(offset: start, .tooLarge(length)) }
        let bodyOffset = offset
        let body = try readExactly(length, sectionStart: start)
        let header = try CARHeader(decoding: body, baseOffset: bodyOffset)
        self.header = header
        return header
    }

    /// The next block, verified, or `nil` at the end of the stream.
    public mutating func nextBlock() throws(CARError) -> Block? {
        if header == nil { _ = try readHeader() }
        let start = offset
        guard let length = try readVarint(endAllowed: true) else { return nil }
        guard length > 0 else { throw .emptySection(offset: start) }
        guard length <= Self.maxSectionLength else { throw .sectionTooLarge(offset: start, length: length) }
        let body = try readExactly(length, sectionStart: start)
        var position = 0
        let cid: CID
        do { cid = try CID.decode(body, at: &position, limit: body.count) } catch {
            throw .invalidCID(offset: start, error)
        }
        do {
            return try Block(verifying: Array(body[position...]), as: cid)
        } catch {
            switch error {
            case .tooLarge: throw .sectionTooLarge(offset: start, length: length)
            case .hashMismatch, .unsupportedCodec: throw .hashMismatch(offset: start, cid: cid)
            }
        }
    }

    private mutating func readExactly(_ length: UInt64, sectionStart: UInt64) throws(CARError) -> [UInt8] {
        let bytes = try source.read(Int(length))
        offset += UInt64(bytes.count)
        guard bytes.count == Int(length) else {
            throw .truncated(offset: sectionStart, needed: length, available: UInt64(bytes.count))
        }
        return bytes
    }

    /// Reads a multiformats varint (at most 9 bytes, minimal); `nil` at a clean end of stream if `endAllowed`.
    private mutating func readVarint(endAllowed: Bool) throws(CARError) -> UInt64? {
        let start = offset
        var value: UInt64 = 0
        var count = 0
        while true {
            guard let byte = try source.readByte() else {
                if count == 0 && endAllowed { return nil }
                throw .truncated(offset: start, needed: UInt64(count + 1), available: UInt64(count))
            }
            offset += 1
            value |= UInt64(byte & 0x7f) << (7 * UInt64(count))
            count += 1
            if byte & 0x80 == 0 {
                if byte == 0 && count > 1 { throw .badLengthPrefix(offset: start) }
                return value
            }
            if count == Varint.maxByteCount { throw .badLengthPrefix(offset: start) }
        }
    }
}
