/// Where a UnixFS file leaf's own bytes lie inside its block, so that a store can keep the block as a range of the
/// file it was written to (``FileReference``) instead of a copy.
///
/// - a raw block is all file bytes;
/// - a dag-pb leaf (no links, as the unixfs-v0-2015 profile makes them) is a `PBNode` whose `Data` field is a
///   `UnixFSData` message whose `Data` field holds the file bytes: the range is that innermost field's payload.
public enum FileLeafLayout {
    private enum Failure: ProtobufDecodingError {
        case wire
        static func wireFormat(_ failure: ProtobufFailure) -> Failure { .wire }
    }

    /// The range of `block`'s bytes that are file bytes; `nil` for a dag-pb node with links (not a leaf), one that
    /// does not decode, or a leaf with no file bytes.
    public static func fileBytes(in block: Block) -> Range<Int>? {
        switch block.cid.codec {
        case .raw:
            return block.bytes.isEmpty ? nil : 0..<block.bytes.count
        case .dagPB:
            guard let unixfs = try? field(1, of: block.bytes, in: 0..<block.bytes.count, refusingField: 2),
                let data = try? field(2, of: block.bytes, in: unixfs, refusingField: nil),
                !data.isEmpty
            else { return nil }
            return data
        case .sha2_256:
            return nil
        }
    }

    /// The payload range of the last length-delimited field `number` between the bounds of `range`; `nil` when
    /// there is none or when field `refused` appears (a dag-pb link: the node is not a leaf).
    private static func field(_ number: UInt64, of bytes: [UInt8], in range: Range<Int>, refusingField refused: UInt64?)
        throws(Failure) -> Range<Int>?
    {
        var reader = ProtobufReader<Failure>(bytes, from: range.lowerBound, to: range.upperBound)
        var found: Range<Int>?
        while !reader.isAtEnd {
            let key = try reader.readKey()
            if key.field == refused { return nil }
            if key.field == number && key.wireType == 2 {
                found = try reader.readLengthDelimited()
            } else {
                guard try reader.skip(wireType: key.wireType) else { throw .wire }
            }
        }
        return found
    }
}
