import Blocks

/// Where `cat` and `get` read UnixFS DAGs from: the repository directly (``RepositoryFileSource``) or through
/// the running daemon (``DaemonFileSource``). Both verify every block, and both fail with the same one-line
/// messages, so the commands print the same thing either way.
protocol FileTreeSource {
    /// The block under `cid`, verified; a missing block is an error naming it.
    func block(_ cid: CID) async throws -> Block

    /// Streams the bytes of the file under `root` (within `range`, when given): `start` receives the byte count
    /// to come, then `write` the pieces in order.
    func readFile(
        _ root: CID,
        range: ByteRange?,
        start: (UInt64) throws -> Void,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws
}

extension FileTreeSource {
    /// The UnixFS node under `cid`, decoded.
    func node(_ cid: CID) async throws -> UnixFSNode {
        let block = try await block(cid)
        return try reportingErrors { try UnixFSNode(decoding: block) }
    }
}
