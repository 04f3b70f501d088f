import Blocks
import NIOCore
import Synchronization

/// A UnixFS file being read out of the repository for a response: a ``ParallelDAGReader`` (every block hashed
/// before its bytes go out, the next few blocks hashed on every core at once) handed from one pool thread to the
/// next, a piece of about ``pieceBytes`` at a time.
public final class FileReadJob: Sendable {
    /// Bytes gathered per piece (whole leaves, so a piece may be a little larger).
    public static let pieceBytes = 1 << 20

    private let reader: Mutex<ParallelDAGReader<FileBlockStore>>
    private let delivered = Atomic<UInt64>(0)
    /// The file's size.
    public let fileSize: UInt64
    /// The bytes being read.
    public let range: Range<UInt64>

    /// Opens the file under `root` for bytes `start` up to (not including) `end`, or to the end of the file when
    /// `end` is `nil`.
    ///
    /// - Throws: ``DAGReadError`` when the root is missing, corrupt or not a file, or
    ///   ``DAGReadError/rangeOutOfBounds(_:fileSize:)`` when the range is not inside the file.
    init(root: CID, store: FileBlockStore, start: UInt64 = 0, end: UInt64? = nil) throws(DAGReadError) {
        var reader = try ParallelDAGReader(root: root, store: store)
        let fileSize = reader.fileSize
        let end = end ?? fileSize
        guard start <= end, end <= fileSize else {
            throw .rangeOutOfBounds(start..<max(start, end), fileSize: fileSize)
        }
        if start..<end != reader.range {
            reader = try ParallelDAGReader(root: root, store: store, range: start..<end)
        }
        self.fileSize = fileSize
        self.range = reader.range
        self.reader = Mutex(reader)
    }

    /// Whether every byte of the range has been returned, so that ``next()`` would return `nil`.
    public var isFinished: Bool { delivered.load(ordering: .relaxed) >= UInt64(range.count) }

    /// The next piece, or `nil` at the end of the range.
    func next() throws(DAGReadError) -> ByteBuffer? {
        try reader.withLock { (reader) throws(DAGReadError) -> ByteBuffer? in
            guard let first = try reader.next() else { return nil }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(Self.pieceBytes + first.count)
            buffer.writeBytes(first)
            while buffer.readableBytes < Self.pieceBytes, let piece = try reader.next() {
                buffer.writeBytes(piece)
            }
            delivered.add(UInt64(buffer.readableBytes), ordering: .relaxed)
            return buffer
        }
    }
}
