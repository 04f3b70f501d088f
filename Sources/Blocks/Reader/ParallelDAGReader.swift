import Dispatch
import Synchronization

/// Reads a UnixFS file's bytes out of a local ``BlockStore`` in order, like ``DAGReader``, but reads and hashes the
/// next few blocks in parallel on every core: verifying each block against its CID is what bounds reading a stored
/// file (one core hashes SHA-256 at about 1 GB/s, slower than a page-cached disk reads).
///
/// It drives the same ``FileDAGWalker`` (the same checks and range handling as ``DAGReader``): when the walk needs
/// a block, that block and the walk's ``FileDAGWalker/upcoming(limit:)`` blocks are fetched together with the
/// store's ``BlockStore/getVerified(_:)`` and delivered one at a time as the walk asks for them. A fetch that failed
/// is reported only when the walk reaches that block, so the bytes before a corrupt block still come out and none
/// after it do. Memory: at most ``batchSize`` blocks are held besides the walk's path of nodes.
public struct ParallelDAGReader<Store: BlockStore>: Sendable {
    /// Blocks read per batch (each at most 1 MiB for the import profiles here).
    public static var batchSize: Int { 8 }

    /// The store the blocks are read from.
    public let store: Store
    private var walker: FileDAGWalker
    private var fetched: [CID: Result<Block, DAGReadError>] = [:]

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
        self.walker = try FileDAGWalker(root: DAGReader<Store>.fetch(root, from: store), range: range)
    }

    /// The next piece of the file within the range, or `nil` at its end. Pieces are never empty.
    ///
    /// - Throws: ``DAGReadError`` naming the block at fault: missing, corrupt, malformed, or inconsistent sizes.
    public mutating func next() throws(DAGReadError) -> ArraySlice<UInt8>? {
        while true {
            switch walker.next() {
            case .bytes(let piece): return piece
            case .finished: return nil
            case .need(let cid):
                if fetched[cid] == nil { fetchBatch(startingWith: cid) }
                guard let result = fetched.removeValue(forKey: cid) else { throw .blockNotFound(cid) }
                try walker.deliver(result.get())
            }
        }
    }

    /// Fetches `cid` and the blocks the walk needs after it, in parallel.
    private mutating func fetchBatch(startingWith cid: CID) {
        var batch = [cid]
        for next in walker.upcoming(limit: Self.batchSize - 1) where fetched[next] == nil && !batch.contains(next) {
            batch.append(next)
        }
        let cids = batch
        let store = self.store
        let results = Mutex([Result<Block, DAGReadError>?](repeating: nil, count: cids.count))
        DispatchQueue.concurrentPerform(iterations: cids.count) { index in
            let result = Result { () throws(DAGReadError) in try DAGReader<Store>.fetch(cids[index], from: store) }
            results.withLock { $0[index] = result }
        }
        results.withLock { results in
            for (index, cid) in cids.enumerated() {
                if let result = results[index] { fetched[cid] = result }
            }
        }
    }
}
