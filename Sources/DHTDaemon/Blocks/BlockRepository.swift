import Blocks
import NIOCore
import NIOPosix

/// The daemon's block repository, `<data dir>/repo`: the ``FileBlockStore`` it opens read-write at start (holding
/// the repository lock until it exits), and the operations the control API runs on it.
///
/// Every file system access and every hash runs on a ``NIOThreadPool`` thread, never on an event loop or the
/// caller's task: the store is synchronous by design (``BlockStore``). Request bodies are consumed a piece at a
/// time (``importPieceBytes``), so memory stays bounded whatever the size of a file or CAR.
public final class BlockRepository: Sendable {
    /// Bytes of a request body handed to the pool at once: large enough that the hop costs nothing next to the
    /// hashing, small enough to keep memory flat.
    public static let importPieceBytes = 1 << 20

    /// The store, read-write.
    public let store: FileBlockStore
    /// The blocks this process hashed and wrote (imports here, fetches through ``RepositoryContentStore``): serving
    /// them reads them without hashing them again.
    let verified: VerifiedBlockMemory
    private let threadPool: NIOThreadPool

    /// Opens (creating it when missing) the repository at `path` for writing and takes its lock.
    ///
    /// - Throws: ``BlockStoreError/locked(path:holderPID:)`` when another process writes to it, or another
    ///   ``BlockStoreError`` when it cannot be opened.
    public init(path: String, threadPool: NIOThreadPool = .singleton) throws(BlockStoreError) {
        self.store = try FileBlockStore(path: path, mode: .readWrite, create: true)
        self.verified = VerifiedBlockMemory()
        self.threadPool = threadPool
    }

    /// Runs blocking work on the thread pool.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    // MARK: Imports

    /// What ``add(_:profile:pin:onlyHash:)`` made.
    public struct AddResult: Hashable, Sendable {
        /// The file's root and sizes.
        public var result: ImportResult
        /// Whether the root was pinned.
        public var pinned: Bool
    }

    /// Imports the bytes of `body` as one UnixFS file with `profile`; pins the root when `pin` is set. With
    /// `onlyHash` nothing is written.
    ///
    /// Hashing and writing overlap: while one piece is chunked and hashed, the blocks of the previous piece are
    /// written through the import's ``WriteSession``. On any error (including a body that ends early) the
    /// session is discarded: no block of the import is left outside a session, pinned or not.
    public func add<Body: AsyncSequence>(
        _ body: Body,
        profile: ImportProfile,
        pin: Bool,
        onlyHash: Bool
    ) async throws -> AddResult where Body.Element == ByteBuffer {
        let session: WriteSession? =
            if onlyHash { nil } else { try await offload { [store] in try store.beginSession() } }
        let builder = FileImportBuilder(profile: profile)
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group -> ImportResult in
                var writing = false
                /// Writes `blocks` while the next piece is hashed; at most one write runs at a time.
                func write(_ blocks: [Block]) async throws {
                    if writing { _ = try await group.next() }
                    guard let session, !blocks.isEmpty else {
                        writing = false
                        return
                    }
                    group.addTask {
                        try await self.offload { [verified = self.verified] in
                            for block in blocks where try session.putIfAbsent(block) {
                                verified.record(block.cid.multihash)
                            }
                        }
                    }
                    writing = true
                }
                try await Self.forEachPiece(of: body) { piece in
                    let blocks = try await self.offload { builder.append(piece) }
                    try await write(blocks)
                }
                let (result, blocks) = try await offload { builder.finish() }
                try await write(blocks)
                try await group.waitForAll()
                return result
            }
            if let session {
                try await offload { [store] in
                    try session.flush()
                    if pin { try store.pin(result.root) }
                    try session.close()
                }
            }
            return AddResult(result: result, pinned: pin && !onlyHash)
        } catch {
            session?.discard()
            throw error
        }
    }

    /// Opens the file at `path` for ``add(file:profile:pin:progress:)``.
    ///
    /// - Throws: ``PackedFileImportError/unreadable(path:errno:)`` or ``PackedFileImportError/notARegularFile(path:)``.
    func openForAdding(_ path: String) async throws -> PackedFileImport.Source {
        try await offload { try PackedFileImport.Source(path: path) }
    }

    /// Imports the regular file `source` (opened by ``openForAdding(_:)``) as one UnixFS file with `profile`:
    /// its bytes copied into one packed file of the repository while their chunks are hashed on every core
    /// (``PackedFileImport``), the DAG's nodes as block files; pins the root when `pin` is set. `progress` hears the
    /// bytes done so far.
    ///
    /// The packed file is durable and indexed before the root is pinned, and the import's session keeps GC away
    /// from every block until then. On any error nothing of the import is left but unpinned blocks.
    ///
    /// With `nocopy`, nothing of the file is copied: its leaves are kept as references into it, as `dhtnode get -o`
    /// keeps a fetched file's (kubo's `--nocopy`; BitTorrent seeds this way). The user's file must then stay as it
    /// is: once changed or deleted, its blocks read as missing.
    ///
    /// - Throws: ``PackedFileImportError`` when the file cannot be read or changed meanwhile; a ``BlockStoreError``.
    func add(
        file source: PackedFileImport.Source,
        profile: ImportProfile,
        pin: Bool,
        nocopy: Bool = false,
        progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> AddResult {
        let result = try await PackedFileImport.importing(
            source, profile: profile, into: store, verified: verified, threadPool: threadPool, pin: pin, nocopy: nocopy,
            progress: progress)
        return AddResult(result: result, pinned: pin)
    }

    /// Keeps the blocks of `references` as ranges of the file at `path` instead of block files
    /// (``Blocks/FileBlockStore/addReferences(_:inFile:name:)``), under the index name `name`.
    public func addReferences(_ references: [FileReference], inFile path: String, name: String) async throws {
        guard !references.isEmpty else { return }
        try await offload { [store] in try store.addReferences(references, inFile: path, name: name) }
    }

    /// What ``importCAR(_:pin:)`` stored.
    public struct CARImportResult: Hashable, Sendable {
        /// The roots named in the header.
        public var roots: [CID] = []
        /// Sections read (duplicates included).
        public var blockCount = 0
        /// Block bytes read.
        public var byteCount: UInt64 = 0
        /// The roots pinned (all of them with `pin`, none otherwise).
        public var pinned: [CID] = []
    }

    /// Imports the CAR v1 stream in `body`, all or nothing: every block is hashed against its CID as it arrives
    /// and staged (``WriteSession/Policy/staged``); only when the whole stream checked out are the blocks moved
    /// into place, and with `pin` every root of the header pinned before the session ends (so GC never sees them
    /// unprotected). A rejected stream leaves nothing behind.
    ///
    /// With `pin`, a root whose DAG is not complete in the repository fails the request with
    /// ``BlockStoreError/incompleteDAG(root:missing:)`` after the blocks were stored: they stay unpinned, and the
    /// next `gc` removes them.
    ///
    /// - Throws: the ``CARError`` naming the byte offset of the first problem, or a ``BlockStoreError``.
    public func importCAR<Body: AsyncSequence>(
        _ body: Body,
        pin: Bool
    ) async throws -> CARImportResult where Body.Element == ByteBuffer {
        let job = try await offload { [store, verified] in try CARImportJob(store: store, verified: verified) }
        do {
            try await Self.forEachPiece(of: body) { piece in
                try await self.offload { try job.consume(piece) }
            }
            return try await offload { try job.finish(pin: pin) }
        } catch {
            job.discard()
            throw error
        }
    }

    /// Calls `handle` with the body's bytes in pieces of at least ``importPieceBytes`` (the last may be shorter),
    /// one at a time: the body is not read further until `handle` returns.
    static func forEachPiece<Body: AsyncSequence>(
        of body: Body,
        _ handle: (ByteBuffer) async throws -> Void
    ) async throws where Body.Element == ByteBuffer {
        var pending = ByteBuffer()
        for try await next in body {
            var piece = next
            if pending.readableBytes == 0 && piece.readableBytes >= importPieceBytes {
                try await handle(piece)
                continue
            }
            pending.writeBuffer(&piece)
            if pending.readableBytes >= importPieceBytes {
                try await handle(pending)
                pending.clear()
            }
        }
        if pending.readableBytes > 0 { try await handle(pending) }
    }

    // MARK: Reads

    /// The block under `cid`, hashed on the way out; `nil` when it is not stored.
    public func block(_ cid: CID) async throws -> Block? {
        try await offload { [store] in try store.getVerified(cid) }
    }

    /// The first block of the DAG under `root` that is not stored, or `nil` when the whole DAG is.
    public func missingBlock(under root: CID) async throws -> CID? {
        try await offload { [store] in try store.missingBlock(under: root) }
    }

    /// The UnixFS node under `cid` (a file, a directory, a symbolic link), decoded; `nil` when it is not stored.
    public func node(_ cid: CID) async throws -> UnixFSNode? {
        try await offload { [store] in try store.getVerified(cid).map { try UnixFSNode(decoding: $0) } }
    }

    /// A reader of the UnixFS file under `root`, for bytes `start` up to (not including) `end` (to the end of the
    /// file when `end` is `nil`).
    ///
    /// - Throws: ``DAGReadError`` when the root is missing, corrupt or not a file, or the range is not inside it.
    public func openFile(_ root: CID, start: UInt64 = 0, end: UInt64? = nil) async throws -> FileReadJob {
        try await offload { [store] in try FileReadJob(root: root, store: store, start: start, end: end) }
    }

    /// The next piece of `job`'s file, read and hashed on the pool; `nil` at the end.
    public func read(_ job: FileReadJob) async throws -> ByteBuffer? {
        try await offload { try job.next() }
    }

    // MARK: Single blocks

    /// Stores `block` (already hashed against its CID) durably; it stays unpinned, so the next GC removes it
    /// unless a pin reaches it.
    public func put(_ block: Block) async throws {
        try await offload { [store] in try store.put(block) }
    }

    /// Deletes the block under `cid` unless it is a pinned root (``FileBlockStore/deleteUnlessPinnedRoot(_:)``);
    /// returns whether it was stored.
    public func remove(_ cid: CID) async throws -> Bool {
        try await offload { [store] in try store.deleteUnlessPinnedRoot(cid) }
    }

    /// Rehashes every block file.
    public func verify() async throws -> RepoVerifyReport {
        try await offload { [store] in try store.verify() }
    }

    // MARK: Pins, GC, stat

    /// Pins `root` recursively (every block of its DAG must be stored).
    public func pin(_ root: CID) async throws {
        try await offload { [store] in try store.pin(root) }
    }

    /// Removes the pin on `root`; returns whether there was one.
    public func unpin(_ root: CID) async throws -> Bool {
        try await offload { [store] in try store.unpin(root) }
    }

    /// The pinned roots, as CIDv1, sorted by text.
    public func pins() async throws -> [CID] {
        try await offload { [store] in try store.pins() }
    }

    /// Deletes every block that no pin and no live session reaches.
    public func gc() async throws -> GCReport {
        try await offload { [store] in try store.gc() }
    }

    /// Counts blocks, bytes, temporary files and pins.
    public func stat() async throws -> (stat: RepoStat, pins: Int) {
        try await offload { [store] in (try store.stat(), try store.pins().count) }
    }
}
