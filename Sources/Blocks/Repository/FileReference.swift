/// A block kept as a range of a file outside the repository instead of a copy (as kubo's filestore keeps the
/// leaves of an added file): its bytes are `prefix + file[offset ..< offset + length] + suffix`. A raw leaf has no
/// prefix or suffix; a dag-pb leaf's are the protobuf framing around its file bytes (``FileLeafLayout``).
///
/// The file belongs to the user, who may change or delete it: a reference is only a place to look, and every read
/// through it is hashed against ``cid`` (a mismatch reads as a missing block).
public struct FileReference: Hashable, Sendable {
    /// The block.
    public var cid: CID
    /// Where its file bytes start in the file.
    public var offset: UInt64
    /// How many file bytes it holds.
    public var length: Int
    /// Block bytes before the file bytes.
    public var prefix: [UInt8]
    /// Block bytes after the file bytes.
    public var suffix: [UInt8]

    public init(cid: CID, offset: UInt64, length: Int, prefix: [UInt8] = [], suffix: [UInt8] = []) {
        self.cid = cid
        self.offset = offset
        self.length = length
        self.prefix = prefix
        self.suffix = suffix
    }

    /// The reference to `block`, found at `offset` of a file that holds its file bytes, or `nil` when the block has
    /// no file bytes of its own (``FileLeafLayout/fileBytes(in:)``).
    public init?(block: Block, atFileOffset offset: UInt64) {
        guard let range = FileLeafLayout.fileBytes(in: block) else { return nil }
        self.init(
            cid: block.cid, offset: offset, length: range.count, prefix: Array(block.bytes[..<range.lowerBound]),
            suffix: Array(block.bytes[range.upperBound...]))
    }

    /// The block's size in bytes.
    public var blockByteCount: Int { prefix.count + length + suffix.count }
}
