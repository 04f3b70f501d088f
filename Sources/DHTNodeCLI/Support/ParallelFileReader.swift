import Blocks
import Dispatch
import Synchronization

/// Reads a UnixFS file's bytes out of a ``FileBlockStore`` in order, like ``DAGReader``, but reads and hashes
/// the next few blocks in parallel on all cores: verifying every block against its CID is what bounds `cat` and
/// `get`, and one core hashes slower than a disk reads.
///
/// It drives a ``FileDAGWalker`` (the same walk, checks and range handling as ``DAGReader``): when the walk
/// needs a block, that block and the walk's ``FileDAGWalker/upcoming(limit:)`` blocks are fetched together with
/// ``FileBlockStore/getVerified(_:)`` (which hashes what it reads), and delivered one at a time as the walk asks
/// for them. A fetch that failed is reported only when the walk reaches that block, so bytes before a corrupt
/// block still come out and nothing after it does.
struct ParallelFileReader {
    /// Blocks fetched per batch: at most this many blocks (each at most 1 MiB for our profiles) are held.
    static let batchSize = 8

    let store: FileBlockStore
    private var walker: FileDAGWalker
    private var fetched: [CID: Result<Block?, BlockStoreError>] = [:]

    /// The file's size.
    var fileSize: UInt64 { walker.fileSize }

    /// Opens the file under `root`, reading `range` (the whole file when `nil`).
    init(root: CID, store: FileBlockStore, range: ByteRange? = nil) throws {
        self.store = store
        let block = try Self.unwrap(root, Result { () throws(BlockStoreError) in try store.getVerified(root) })
        var walker = try reportingErrors { try FileDAGWalker(root: block) }
        if let range {
            let resolved = try range.resolved(fileSize: walker.fileSize)
            walker = try reportingErrors { try FileDAGWalker(root: block, range: resolved) }
        }
        self.walker = walker
    }

    /// The next piece of the file, or `nil` at the end of the range.
    mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            switch walker.next() {
            case .bytes(let piece): return piece
            case .finished: return nil
            case .need(let cid):
                if fetched[cid] == nil { fetchBatch(startingWith: cid) }
                let result = fetched.removeValue(forKey: cid) ?? .success(nil)
                let block = try Self.unwrap(cid, result)
                try reportingErrors { try walker.deliver(block) }
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
        let results = Mutex([Result<Block?, BlockStoreError>?](repeating: nil, count: cids.count))
        DispatchQueue.concurrentPerform(iterations: cids.count) { index in
            let result = Result { () throws(BlockStoreError) in try store.getVerified(cids[index]) }
            results.withLock { $0[index] = result }
        }
        results.withLock { results in
            for (index, cid) in cids.enumerated() { fetched[cid] = results[index] }
        }
    }

    /// The block, or the one-line error naming its CID.
    private static func unwrap(_ cid: CID, _ result: Result<Block?, BlockStoreError>) throws -> Block {
        switch result {
        case .success(let block?): return block
        case .success(nil): throw CLIError(DAGReadError.blockNotFound(cid))
        case .failure(let error): throw CLIError(error)
        }
    }
}
