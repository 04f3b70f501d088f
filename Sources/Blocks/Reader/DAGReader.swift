/// Reads a UnixFS file's bytes out of its DAG in a local ``BlockStore``, in order, verifying every block.
///
/// A pull-based stream: ``next()`` returns the next piece of the file (a slice of one block) until it returns
/// `nil`. It drives a ``FileDAGWalker`` with blocks from the store, so it has the walker's guarantees: every block
/// is hashed against its CID before any of its bytes are returned (a mismatch is ``DAGReadError/hashMismatch(_:)``
/// naming the CID), byte ranges fetch only the blocks they touch, sizes are cross-checked, and memory stays at one
/// path of nodes.
public struct DAGReader<Store: BlockStore>: Sendable {
    /// The store the blocks are read from.
    public let store: Store
    private var walker: FileDAGWalker

    /// The root CID.
    public var root: CID { walker.root }
    /// The file's size in bytes, from the root block.
    public var fileSize: UInt64 { walker.fileSize }
    /// The byte range being read.
    public var range: Range<UInt64> { walker.range }

    /// Opens the file under `root` for reading `range` (the whole file when `nil`). Reads the root block only.
    ///
    /// - Throws: ``DAGReadError`` if the root is missing, corrupt or not a file, or
    ///   ``DAGReadError/rangeOutOfBounds(_:fileSize:)`` if `range` ends past the end of the file.
    public init(root: CID, store: Store, range: Range<UInt64>? = nil) throws(DAGReadError) {
        self.store = store
        self.walker = try FileDAGWalker(root: Self.fetch(root, from: store), range: range)
    }

    /// The next piece of the file within the range, or `nil` at its end. Pieces are never empty.
    ///
    /// - Throws: ``DAGReadError`` naming the block at fault: missing, corrupt, malformed, or inconsistent sizes.
    public mutating func next() throws(DAGReadError) -> ArraySlice<UInt8>? {
        while true {
            switch walker.next() {
            case .need(let cid): try walker.deliver(Self.fetch(cid, from: store))
            case .bytes(let piece): return piece
            case .finished: return nil
            }
        }
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

    /// The block under `cid`, verified once: by the store's ``BlockStore/getVerified(_:)`` (a store that checks
    /// what it reads, like ``FileBlockStore``, does not hash twice), as a ``Block`` the walker need not hash again.
    static func fetch(_ cid: CID, from store: Store) throws(DAGReadError) -> Block {
        let fetched: Block?
        do {
            fetched = try store.getVerified(cid)
        } catch {
            switch error {
            case .invalidBlock(.hashMismatch): throw .hashMismatch(cid)
            case .invalidBlock(.tooLarge(_, let count)): throw .blockTooLarge(cid, byteCount: count)
            default: throw .store(cid, error)
            }
        }
        guard let block = fetched else { throw .blockNotFound(cid) }
        // The store found the block by multihash; the walk reads it with the codec of the CID it asked for.
        return Block(uncheckedCID: cid, bytes: block.bytes)
    }
}
