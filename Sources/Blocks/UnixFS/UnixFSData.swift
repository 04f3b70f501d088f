/// The UnixFS v1 `Data` message that a dag-pb node carries in its `Data` field (ipfs/specs UnixFS, `message Data`).
///
/// ```protobuf
/// message Data {
///   required DataType Type = 1;  optional bytes Data = 2;    optional uint64 filesize = 3;
///   repeated uint64 blocksizes = 4;  optional uint64 hashType = 5;  optional uint64 fanout = 6;
///   optional uint32 mode = 7;    optional UnixTime mtime = 8;
/// }
/// ```
///
/// Encoding follows kubo (proto2): fields in field-number order and `blocksizes` unpacked, one `0x20` key per
/// entry. Decoding accepts `blocksizes` packed or unpacked, as any proto2 parser must.
public struct UnixFSData: Hashable, Sendable {
    /// `Data.DataType`.
    public enum DataType: UInt64, Sendable {
        /// Raw file bytes (legacy leaves).
        case raw = 0
        /// A directory.
        case directory = 1
        /// A file or a part of one.
        case file = 2
        /// Metadata (unused).
        case metadata = 3
        /// A symbolic link; `data` holds the target.
        case symlink = 4
        /// A HAMT-sharded directory.
        case hamtShard = 5
    }

    /// `UnixTime`: seconds since the epoch and optional nanoseconds (ipfs/specs UnixFS).
    public struct UnixTime: Hashable, Sendable {
        /// Seconds relative to the Unix epoch.
        public var seconds: Int64
        /// Fractional nanoseconds, 1...999_999_999 when present.
        public var fractionalNanoseconds: UInt32?

        /// Creates a time.
        public init(seconds: Int64, fractionalNanoseconds: UInt32? = nil) {
            self.seconds = seconds
            self.fractionalNanoseconds = fractionalNanoseconds
        }
    }

    /// `Type`.
    public var type: DataType
    /// `Data`: file bytes held in this node (before those of its children), or a symlink target.
    public var data: [UInt8]?
    /// `filesize`: the number of file bytes under this node, its own `data` included.
    public var filesize: UInt64?
    /// `blocksizes`: the number of file bytes under each link, in link order.
    public var blocksizes: [UInt64]
    /// `hashType`: the HAMT hash function (HAMT shards only).
    public var hashType: UInt64?
    /// `fanout`: the HAMT width (HAMT shards only).
    public var fanout: UInt64?
    /// `mode`: POSIX permission bits.
    public var mode: UInt32?
    /// `mtime`: modification time.
    public var mtime: UnixTime?

    /// Creates a message.
    public init(
        type: DataType,
        data: [UInt8]? = nil,
        filesize: UInt64? = nil,
        blocksizes: [UInt64] = [],
        hashType: UInt64? = nil,
        fanout: UInt64? = nil,
        mode: UInt32? = nil,
        mtime: UnixTime? = nil
    ) {
        self.type = type
        self.data = data
        self.filesize = filesize
        self.blocksizes = blocksizes
        self.hashType = hashType
        self.fanout = fanout
        self.mode = mode
        self.mtime = mtime
    }

    /// The file node of an internal DAG node in kubo's layout: `Type = File`, `filesize` the sum of `blocksizes`,
    /// no `Data`.
    public static func fileNode(blocksizes: [UInt64]) -> UnixFSData {
        UnixFSData(type: .file, filesize: blocksizes.reduce(0, +), blocksizes: blocksizes)
    }

    /// Encodes the message the way kubo does: field-number order, `blocksizes` unpacked.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(4 + (data?.count ?? 0) + 11 * (blocksizes.count + 1))
        ProtobufWire.appendVarintField(1, type.rawValue, to: &output)
        if let data { ProtobufWire.appendBytesField(2, data, to: &output) }
        if let filesize { ProtobufWire.appendVarintField(3, filesize, to: &output) }
        for size in blocksizes { ProtobufWire.appendVarintField(4, size, to: &output) }
        if let hashType { ProtobufWire.appendVarintField(5, hashType, to: &output) }
        if let fanout { ProtobufWire.appendVarintField(6, fanout, to: &output) }
        if let mode { ProtobufWire.appendVarintField(7, UInt64(mode), to: &output) }
        if let mtime {
            var time: [UInt8] = []
            ProtobufWire.appendVarintField(1, UInt64(bitPattern: mtime.seconds), to: &time)
            if let nanoseconds = mtime.fractionalNanoseconds {
                ProtobufWire.appendKey(field: 2, wireType: .fixed32, to: &time)
                withUnsafeBytes(of: nanoseconds.littleEndian) { time.append(contentsOf: $0) }
            }
            ProtobufWire.appendBytesField(8, time, to: &output)
        }
        return output
    }

    /// Decodes a UnixFS `Data` message.
    ///
    /// Proto2 rules with two strict additions: a singular field that appears twice is an error (instead of the
    /// last one winning), and a known field with the wrong wire type is an error. Unknown fields are skipped.
    ///
    /// - Throws: ``UnixFSError`` with the byte offset of the problem.
    public init(decoding bytes: [UInt8]) throws(UnixFSError) {
        var reader = ProtobufReader<UnixFSError>(bytes)
        var type: DataType?
        var data: [UInt8]?
        var filesize: UInt64?
        var blocksizes: [UInt64] = []
        var hashType: UInt64?
        var fanout: UInt64?
        var mode: UInt32?
        var mtime: UnixTime?
        var seen: Set<UInt64> = []
        while !reader.isAtEnd {
            let key = try reader.readKey()
            if key.field != 4 && (1...8).contains(key.field) {
                guard seen.insert(key.field).inserted else {
                    throw .duplicateField(field: key.field, offset: key.offset)
                }
            }
            let wrongWireType = UnixFSError.wrongWireType(field: key.field, wireType: key.wireType, offset: key.offset)
            switch key.field {
            case 1, 3, 5, 6, 7:
                guard key.wireType == 0 else { throw wrongWireType }
                let value = try reader.readVarint()
                switch key.field {
                case 1:
                    guard let known = DataType(rawValue: value) else {
                        throw .unknownDataType(value, offset: key.offset)
                    }
                    type = known
                case 3: filesize = value
                case 5: hashType = value
                case 6: fanout = value
                default:
                    guard let narrow = UInt32(exactly: value) else {
                        throw .valueOutOfRange(field: 7, offset: key.offset)
                    }
                    mode = narrow
                }
            case 2, 8:
                guard key.wireType == 2 else { throw wrongWireType }
                let range = try reader.readLengthDelimited()
                if key.field == 2 {
                    data = Array(bytes[range])
                } else {
                    mtime = try Self.decodeTime(bytes, range)
                }
            case 4:
                if key.wireType == 0 {
                    blocksizes.append(try reader.readVarint())
                } else if key.wireType == 2 {
                    // Packed: a length-delimited run of varints.
                    let range = try reader.readLengthDelimited()
                    var packed = ProtobufReader<UnixFSError>(
                        bytes, from: range.lowerBound, to: range.upperBound)
                    while !packed.isAtEnd {
                        blocksizes.append(try packed.readVarint())
                    }
                } else {
                    throw wrongWireType
                }
            default:
                let skipped = try reader.skip(wireType: key.wireType)
                guard skipped else { throw wrongWireType }
            }
        }
        guard let type else { throw .missingType }
        self.init(
            type: type, data: data, filesize: filesize, blocksizes: blocksizes, hashType: hashType, fanout: fanout,
            mode: mode, mtime: mtime)
    }

    private static func decodeTime(_ bytes: [UInt8], _ range: Range<Int>) throws(UnixFSError) -> UnixTime {
        var reader = ProtobufReader<UnixFSError>(bytes, from: range.lowerBound, to: range.upperBound)
        var seconds: Int64?
        var nanoseconds: UInt32?
        while !reader.isAtEnd {
            let key = try reader.readKey()
            switch (key.field, key.wireType) {
            case (1, 0):
                guard seconds == nil else { throw .duplicateField(field: 1, offset: key.offset) }
                seconds = Int64(bitPattern: try reader.readVarint())
            case (2, 5):
                guard nanoseconds == nil else { throw .duplicateField(field: 2, offset: key.offset) }
                let start = reader.position
                guard reader.end - start >= 4 else { throw .truncated(offset: start) }
                _ = try reader.skip(wireType: 5)
                nanoseconds =
                    UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
                    | UInt32(bytes[start + 3]) << 24
            case (1, _), (2, _):
                throw .wrongWireType(field: key.field, wireType: key.wireType, offset: key.offset)
            default:
                let skipped = try reader.skip(wireType: key.wireType)
                guard skipped else {
                    throw .wrongWireType(field: key.field, wireType: key.wireType, offset: key.offset)
                }
            }
        }
        guard let seconds else { throw .missingTimeSeconds(offset: range.lowerBound) }
        return UnixTime(seconds: seconds, fractionalNanoseconds: nanoseconds)
    }
}
