/// The walk over a UnixFS file's DAG that yields its bytes in order: a sans-I/O state machine.
///
/// It owns no store and does no I/O. ``next()`` says what it needs (``Step/need(_:)``: a block), or hands out
/// the next piece of the file (``Step/bytes(_:)``), or says the range is done (``Step/finished``). The driver
/// fetches each needed block however it likes (a local store: ``DAGReader``; peers, later) and hands it over with
/// ``deliver(_:for:)``. ``upcoming(limit:)`` lists the blocks needed after the current one, for read-ahead.
///
/// - Every delivered block is hashed and must match the CID that named it, or ``deliver(_:for:)`` throws
///   ``DAGReadError/hashMismatch(_:)`` and the walk stays where it was: nothing from that block is handed out, and
///   the same block can be delivered again from elsewhere.
/// - A byte range visits only the blocks it touches: each node's `blocksizes` say which children hold which bytes.
/// - Sizes are cross-checked (a node's `filesize` against its `Data` and `blocksizes`, a child's size against its
///   parent's `blocksizes` entry), so a DAG that lies about sizes fails instead of handing out shifted bytes.
/// - Memory: the path of nodes from the root to the current leaf (their link lists), never the file.
///
/// Files may be a raw leaf or a dag-pb UnixFS `File`/`Raw` node, with or without inline `Data` (kubo DAGs with
/// dag-pb leaves read too). Other UnixFS types are ``DAGReadError/notAFile(_:_:)``.
public struct FileDAGWalker: Sendable {
    /// The deepest leaf accepted, in levels below the root. A balanced DAG of 174-link nodes passes 2^64 bytes
    /// long before this; the limit bounds the memory a hostile DAG can make a reader hold.
    public static let maxDepth = 64

    /// What the walk wants next.
    public enum Step: Equatable, Sendable {
        /// Deliver this block with ``FileDAGWalker/deliver(_:for:)``.
        case need(CID)
        /// The next piece of the range, never empty.
        case bytes(ArraySlice<UInt8>)
        /// The whole range has been handed out.
        case finished
    }

    /// A node on the path from the root to the current position.
    private struct Frame: Sendable {
        var children: [CID]
        var sizes: [UInt64]
        var next: Int
        /// The file offset where `children[next]` starts.
        var offset: UInt64
    }

    /// A block asked for and not yet delivered.
    private struct Awaiting: Sendable {
        var cid: CID
        var size: UInt64
        var start: UInt64
        var depth: Int
    }

    /// The root CID.
    public let root: CID
    /// The file size, from the root block.
    public let fileSize: UInt64
    /// The byte range being walked.
    public let range: Range<UInt64>

    private var stack: [Frame] = []
    private var awaiting: Awaiting?
    private var pending: ArraySlice<UInt8> = []

    /// Opens the file whose root block is `rootBytes` (verified here against `root`) for walking `range` (the whole
    /// file when `nil`).
    ///
    /// - Throws: ``DAGReadError`` if the root block does not match `root` or is not a file, or
    ///   ``DAGReadError/rangeOutOfBounds(_:fileSize:)`` if `range` ends past the end of the file.
    public init(root: CID, rootBytes: [UInt8], range: Range<UInt64>? = nil) throws(DAGReadError) {
        try self.init(root: root, node: FileNode(verifying: rootBytes, as: root), range: range)
    }

    /// Opens the file whose root is `root`, a ``Block`` (already verified, so not hashed again), for walking
    /// `range` (the whole file when `nil`).
    ///
    /// - Throws: as ``init(root:rootBytes:range:)``, except that a hash mismatch cannot happen.
    public init(root: Block, range: Range<UInt64>? = nil) throws(DAGReadError) {
        try self.init(root: root.cid, node: FileNode(root), range: range)
    }

    private init(root: CID, node: FileNode, range: Range<UInt64>?) throws(DAGReadError) {
        let range = range ?? 0..<node.fileSize
        guard range.upperBound <= node.fileSize else { throw .rangeOutOfBounds(range, fileSize: node.fileSize) }
        self.root = root
        self.fileSize = node.fileSize
        self.range = range
        // An empty range needs no block beyond the root, even when it falls inside a child.
        if !range.isEmpty { pending = enter(node, at: 0) }
    }

    /// What the walk needs or has next. Asking again without delivering returns the same need.
    public mutating func next() -> Step {
        if let awaiting { return .need(awaiting.cid) }
        if !pending.isEmpty {
            defer { pending = [] }
            return .bytes(pending)
        }
        while let top = stack.indices.last {
            let frame = stack[top]
            guard frame.next < frame.children.count, frame.offset < range.upperBound else {
                stack.removeLast()
                continue
            }
            let size = frame.sizes[frame.next]
            let start = frame.offset
            let child = frame.children[frame.next]
            stack[top].next += 1
            stack[top].offset += size
            // Children that end before the range starts, or hold no bytes, are never fetched.
            if start + size <= range.lowerBound { continue }
            awaiting = Awaiting(cid: child, size: size, start: start, depth: stack.count)
            return .need(child)
        }
        return .finished
    }

    /// Hands over the block that ``next()`` asked for.
    ///
    /// - Throws: ``DAGReadError`` naming the block: not the one asked for, corrupt (hash mismatch), not a file
    ///   node, a size that disagrees with its parent, or deeper than ``maxDepth``. The walk is unchanged by an
    ///   error, so the same block may be delivered again (say, from another peer).
    public mutating func deliver(_ bytes: [UInt8], for cid: CID) throws(DAGReadError) {
        let awaited = try expect(cid)
        try accept(FileNode(verifying: bytes, as: cid), awaited)
    }

    /// Hands over the block that ``next()`` asked for as a ``Block``, whose bytes are known to match its CID (a
    /// `Block` is only made by hashing or verifying), so they are not hashed again. The CID must be the one asked
    /// for, not just one with the same multihash: the codec decides how the bytes are read.
    ///
    /// - Throws: as ``deliver(_:for:)``, except that a hash mismatch cannot happen.
    public mutating func deliver(_ block: Block) throws(DAGReadError) {
        let awaited = try expect(block.cid)
        try accept(FileNode(block), awaited)
    }

    private func expect(_ cid: CID) throws(DAGReadError) -> Awaiting {
        guard let awaited = awaiting, awaited.cid == cid else {
            throw .unexpectedBlock(cid, expected: awaiting?.cid)
        }
        guard awaited.depth <= Self.maxDepth else { throw .tooDeep(cid) }
        return awaited
    }

    private mutating func accept(_ node: FileNode, _ awaited: Awaiting) throws(DAGReadError) {
        let cid = awaited.cid
        guard node.fileSize == awaited.size else {
            throw .sizeMismatch(cid, expected: awaited.size, actual: node.fileSize)
        }
        awaiting = nil
        pending = enter(node, at: awaited.start)
    }

    /// Up to `limit` blocks the walk will need after the one it waits for, in the order it will ask for them, as
    /// far as the nodes loaded so far tell (the rest of the current node's children, then its parent's...). For
    /// read-ahead: fetch these early, deliver them when asked.
    public func upcoming(limit: Int) -> [CID] {
        var output: [CID] = []
        for frame in stack.reversed() {
            var index = frame.next
            var offset = frame.offset
            while index < frame.children.count, offset < range.upperBound, output.count < limit {
                let size = frame.sizes[index]
                if offset + size > range.lowerBound { output.append(frame.children[index]) }
                offset += size
                index += 1
            }
            if output.count >= limit { break }
        }
        return output
    }

    /// Places `node`, which starts at file offset `start`: pushes its children and returns its own bytes within
    /// the range.
    private mutating func enter(_ node: FileNode, at start: UInt64) -> ArraySlice<UInt8> {
        let ownEnd = start + UInt64(node.bytes.count)
        if !node.children.isEmpty {
            stack.append(Frame(children: node.children, sizes: node.sizes, next: 0, offset: ownEnd))
        }
        let lower = max(start, range.lowerBound)
        let upper = min(ownEnd, range.upperBound)
        guard lower < upper else { return [] }
        return node.bytes[Int(lower - start)..<Int(upper - start)]
    }
}
