import Blocks

/// A ``FileTreeSource`` over the repository, read directly (no lock: it runs next to a writer).
struct RepositoryFileSource: FileTreeSource {
    let store: FileBlockStore

    func block(_ cid: CID) throws -> Block {
        try Self.fetch(cid, from: store)
    }

    func readFile(
        _ root: CID,
        range: ByteRange?,
        start: (UInt64) throws -> Void,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var reader = try ParallelFileReader(root: root, store: store, range: range)
        try start(reader.fileSize)
        try reportingErrors {
            while let piece = try reader.next() {
                try piece.withUnsafeBytes(write)
            }
        }
    }

    /// The verified block under `cid`, or the one-line error naming it.
    static func fetch(_ cid: CID, from store: FileBlockStore) throws -> Block {
        guard let block = try reportingErrors({ try store.getVerified(cid) }) else {
            throw CLIError(DAGReadError.blockNotFound(cid))
        }
        return block
    }
}
