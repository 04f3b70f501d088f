/// Reads a UnixFS file's bytes out of its DAG, in order, verifying every block.
///
/// A pull-based stream: ``next()`` returns the next piece of the file (a slice of one block) until it returns
/// `nil`. Memory held: the path of nodes from the root to the current leaf, never the whole file.
///
/// - Every block is hashed when it is read and must match the CID that named it; a mismatch is
///   ``DAGReadError/hashMismatch(_:)`` naming that CID, and no byte of that block is returned.
/// - A byte range reads only the blocks it touches: each node's `blocksizes` say which children hold which bytes,
///   so children outside the range are skipped without being fetched.
/// - Sizes are cross-checked (a node's `filesize` against its `Data` and `blocksizes`, each child's size against
///   its parent's `blocksizes` entry), so a DAG that lies about sizes fails instead of returning shifted bytes.
///
/// Files may be a raw leaf or a dag-pb UnixFS `File`/`Raw` node (with or without inline `Data`, so kubo DAGs with
/// dag-pb leaves read too). Other UnixFS types are ``DAGReadError/notAFile(_:_:)``.
public struct DAGReader<Store: BlockStore>: Sendable {
    /// The deepest DAG accepted (levels below the root). A balanced DAG of 174-link nodes reaches 2^64 bytes
    /// well before this; the limit bounds the memory a hostile DAG can make the reader hold.
    public static var maxDepth: Int { dagReaderMaxDepth }

    /// A node on the path from the root to the current position.
    private struct Frame: Sendable {
        var children: [CID]
        var sizes: [UInt64]
        var next: Int
        /// The file offset where `children[next]` starts.
        var offset: UInt64
    }

    /// The store the blocks are read from.
    public let store: Store
    /// The root CID.
    public let root: CID
    /// The file's size in bytes, from the root block.
    public let fileSize: UInt64
    /// The byte range being read.
    public let range: Range<UInt64>

    private var stack: [Frame] = []
    /// The root's own bytes within `range`, returned by the first call of `next()`.
    private var pending: ArraySlice<UInt8>?

    /// Opens the file under `root` for reading `range` (the whole file when `nil`).
    ///
    /// Reads and verifies the root block only.
    ///
    /// - Throws: ``DAGReadError`` if the root is missing, corrupt or not a file, or
    ///   ``DAGReadError/rangeOutOfBounds(_:fileSize:)`` if `range` ends past the end of the file.
    public init(root: CID, store: Store, range: Range<UInt64>? = nil) throws(DAGReadError) {
        self.store = store
        self.root = root
        let loaded = try Self.load(root, from: store)
        self.fileSize = loaded.fileSize
        let range = range ?? 0..<loaded.fileSize
        guard range.upperBound <= loaded.fileSize else {
            throw .rangeOutOfBounds(range, fileSize: loaded.fileSize)
        }
        self.range = range
        pending = enter(loaded, at: 0)
    }

    /// The next piece of the file within the range, or `nil` at its end. Pieces are never empty.
    public mutating func next() throws(DAGReadError) -> ArraySlice<UInt8>? {
        // An empty range needs no block beyond the root, even when it falls inside a child.
        guard !range.isEmpty else {
            stack.removeAll()
            return nil
        }
        if let piece = pending {
            pending = nil
            if !piece.isEmpty { return piece }
        }
        while !stack.isEmpty {
            let top = stack.count - 1
            let frame = stack[top]
            guard frame.next < frame.children.count, frame.offset < range.upperBound else {
                stack.removeLast()
                continue
            }
            let child = frame.children[frame.next]
            let size = frame.sizes[frame.next]
            let start = frame.offset
            stack[top].next += 1
            stack[top].offset += size
            // Children that end before the range starts (or hold no bytes) are never fetched.
            if start + size <= range.lowerBound { continue }
            // The child sits `stack.count` levels below the root.
            guard stack.count <= Self.maxDepth else { throw .tooDeep(child) }
            let loaded = try Self.load(child, from: store)
            guard loaded.fileSize == size else {
                throw .sizeMismatch(child, expected: size, actual: loaded.fileSize)
            }
            let piece = enter(loaded, at: start)
            if !piece.isEmpty { return piece }
        }
        return nil
    }

    /// Reads the rest of the range and calls `body` with each piece in order.
    public mutating func forEachPiece(_ body: (ArraySlice<UInt8>) -> Void) throws(DAGReadError) {
        while let piece = try next() { body(piece) }
    }

    /// Reads the rest of the range into one array (for small files and tests).
    public mutating func readAll() throws(DAGReadError) -> [UInt8] {
        var output: [UInt8] = []
        // Reserve for what the range says, within reason: a hostile root can claim any size.
        output.reserveCapacity(Int(min(range.upperBound - range.lowerBound, 64 << 20)))
        while let piece = try next() { output.append(contentsOf: piece) }
        return output
    }

    // MARK: Blocks

    /// A verified, decoded block.
    private struct Loaded {
        var cid: CID
        /// File bytes held in the block itself: a raw leaf's bytes or a node's UnixFS `Data`.
        var bytes: [UInt8]
        var children: [CID]
        var sizes: [UInt64]
        var fileSize: UInt64
    }

    /// Places `loaded`, which starts at file offset `start`: pushes its children and returns its own bytes
    /// within the range.
    private mutating func enter(_ loaded: Loaded, at start: UInt64) -> ArraySlice<UInt8> {
        let ownEnd = start + UInt64(loaded.bytes.count)
        if !loaded.children.isEmpty {
            stack.append(Frame(children: loaded.children, sizes: loaded.sizes, next: 0, offset: ownEnd))
        }
        let lower = max(start, range.lowerBound)
        let upper = min(ownEnd, range.upperBound)
        guard lower < upper else { return [] }
        return loaded.bytes[Int(lower - start)..<Int(upper - start)]
    }

    /// Fetches `cid`, verifies its hash and decodes it.
    private static func load(_ cid: CID, from store: Store) throws(DAGReadError) -> Loaded {
        let fetched: [UInt8]?
        do { fetched = try store.get(cid) } catch { throw .store(cid, error) }
        guard let bytes = fetched else { throw .blockNotFound(cid) }
        guard cid.multihash.matches(bytes) else { throw .hashMismatch(cid) }
        switch cid.codec {
        case .raw:
            return Loaded(cid: cid, bytes: bytes, children: [], sizes: [], fileSize: UInt64(bytes.count))
        case .dagPB:
            let node: PBNode
            do { node = try PBNode(decoding: bytes) } catch { throw .invalidDagPB(cid, error) }
            guard let data = node.data else { throw .missingUnixFSData(cid) }
            let unixfs: UnixFSData
            do { unixfs = try UnixFSData(decoding: data) } catch { throw .invalidUnixFS(cid, error) }
            guard unixfs.type == .file || unixfs.type == .raw else { throw .notAFile(cid, unixfs.type) }
            guard unixfs.blocksizes.count == node.links.count else {
                throw .blocksizesMismatch(cid, links: node.links.count, blocksizes: unixfs.blocksizes.count)
            }
            let own = unixfs.data ?? []
            var total = UInt64(own.count)
            for size in unixfs.blocksizes {
                let (sum, overflow) = total.addingReportingOverflow(size)
                guard !overflow else { throw .filesizeMismatch(cid, declared: unixfs.filesize, computed: nil) }
                total = sum
            }
            if let declared = unixfs.filesize, declared != total {
                throw .filesizeMismatch(cid, declared: declared, computed: total)
            }
            return Loaded(
                cid: cid, bytes: own, children: node.links.map(\.hash), sizes: unixfs.blocksizes, fileSize: total)
        case .sha2_256:
            throw .unsupportedCodec(cid)
        }
    }
}

/// See ``DAGReader/maxDepth``.
private let dagReaderMaxDepth = 64

/// Why a file could not be read from its DAG. Every case names the CID of the block at fault.
public enum DAGReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The store has no block for the CID.
    case blockNotFound(CID)
    /// The block's bytes do not hash to its CID: corrupt on disk or forged. Nothing from it was returned.
    case hashMismatch(CID)
    /// The store failed to read the block.
    case store(CID, BlockStoreError)
    /// A dag-pb block does not decode.
    case invalidDagPB(CID, DagPBError)
    /// A dag-pb node has no `Data`, so it is not UnixFS.
    case missingUnixFSData(CID)
    /// The UnixFS `Data` does not decode.
    case invalidUnixFS(CID, UnixFSError)
    /// The node is UnixFS but not a file (a directory, symlink, HAMT shard...).
    case notAFile(CID, UnixFSData.DataType)
    /// The CID's codec cannot hold file data.
    case unsupportedCodec(CID)
    /// A node's `blocksizes` count differs from its link count.
    case blocksizesMismatch(CID, links: Int, blocksizes: Int)
    /// A node's `filesize` differs from its own data plus its `blocksizes` (`computed` is nil on overflow).
    case filesizeMismatch(CID, declared: UInt64?, computed: UInt64?)
    /// A child holds a different number of bytes than its parent's `blocksizes` entry says.
    case sizeMismatch(CID, expected: UInt64, actual: UInt64)
    /// The DAG is deeper than ``DAGReader/maxDepth``.
    case tooDeep(CID)
    /// The requested range ends past the end of the file.
    case rangeOutOfBounds(Range<UInt64>, fileSize: UInt64)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .blockNotFound(let cid): "block \(cid) not found"
        case .hashMismatch(let cid): "block \(cid) is corrupt: its bytes do not match its hash"
        case .store(let cid, let error): "reading block \(cid): \(error)"
        case .invalidDagPB(let cid, let error): "block \(cid): \(error)"
        case .missingUnixFSData(let cid): "block \(cid) is dag-pb without UnixFS data"
        case .invalidUnixFS(let cid, let error): "block \(cid): \(error)"
        case .notAFile(let cid, let type): "block \(cid) is a UnixFS \(type), not a file"
        case .unsupportedCodec(let cid): "block \(cid) has a codec that cannot hold file data"
        case .blocksizesMismatch(let cid, let links, let blocksizes):
            "block \(cid) has \(links) links but \(blocksizes) blocksizes"
        case .filesizeMismatch(let cid, let declared, let computed):
            "block \(cid) declares filesize \(declared.map(String.init) ?? "none") but holds "
                + (computed.map { "\($0) bytes" } ?? "more than 2^64 bytes")
        case .sizeMismatch(let cid, let expected, let actual):
            "block \(cid) holds \(actual) file bytes where its parent says \(expected)"
        case .tooDeep(let cid): "block \(cid) is deeper than \(dagReaderMaxDepth) levels"
        case .rangeOutOfBounds(let range, let fileSize):
            "range \(range.lowerBound)-\(range.upperBound) is outside the file of \(fileSize) bytes"
        }
    }
}
