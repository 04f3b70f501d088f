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
        try reportingErrors {
            var reader = try ParallelDAGReader(root: root, store: store)
            if let range {
                let resolved = try range.resolved(fileSize: reader.fileSize)
                if resolved != reader.range { reader = try ParallelDAGReader(root: root, store: store, range: resolved) }
            }
            try start(reader.fileSize)
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
