import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The on-disk ``BlockStore``: a repository folder with one file per block in sharded folders (``RepoLayout``
/// describes the files).
///
/// Guarantees:
/// - **No wrong or partial block under a block's name, even after a crash.** A block is written to a temporary
///   file in its shard folder, fsynced, then renamed to its final name; the folder is fsynced after the renames.
///   A crash leaves at most temporary files, which are never read as blocks and which ``gc()`` removes.
/// - **Grouped fsyncs.** A ``WriteSession`` writes many temporary files, then fsyncs them, renames them and fsyncs
///   each touched folder once per batch, so an import is not held to one disk flush per block.
/// - **Reads are verified.** ``get(_:)`` hashes the file and throws ``BlockStoreError/corruptBlock(_:path:)``
///   naming the CID when it does not match; it never returns wrong bytes.
/// - **One writer.** A read-write store holds the repository lock (``RepoLock``); a second writer, in this
///   process or another, gets ``BlockStoreError/locked(path:holderPID:)`` naming the PID of the holder. Read-only
///   stores take no lock: block files only ever appear whole (rename) or disappear (GC).
/// - **Versioned.** The `version` file must say ``layoutVersion``; anything else is refused.
/// - **Disk full** (ENOSPC, EDQUOT) is ``BlockStoreError/diskFull(path:)``; other failures are
///   ``BlockStoreError/fileSystem(operation:path:errno:)``. Either way the temporary file is removed.
///
/// Pins and garbage collection are in `FileBlockStore+Pins.swift`, CAR import in `CAR/CARImport.swift`.
public final class FileBlockStore: BlockStore {
    /// The repository layout version this code reads and writes.
    public static let layoutVersion = 1

    /// Whether the store may write.
    public enum AccessMode: Sendable {
        /// Reads and writes; holds the repository lock.
        case readWrite
        /// Reads only; takes no lock, so it can run next to a writer.
        case readOnly
    }

    /// The repository folder.
    public let path: String
    /// How the store was opened.
    public let accessMode: AccessMode

    let layout: RepoLayout
    let faults: IOFaults
    /// Held for the store's lifetime when writable; closing it (deinit) releases the flock.
    private let lock: RepoLock?

    struct State {
        var nextSessionID = 0
        var nextTemporaryID: UInt64 = 0
        /// The blocks each live session wrote or touched: garbage collection treats them as roots.
        var sessions: [Int: Set<Multihash>] = [:]
        /// Temporary files that live sessions own (GC removes only the others: crash leftovers).
        var liveTemporaries: Set<String> = []
        /// Blocks kept as ranges of files outside the repository (`FileBlockStore+References.swift`).
        var references = FileReferenceTable()
    }

    let state = Mutex(State())
    /// Serialises pin changes and garbage collection.
    let pinGate = Mutex(())
    /// Told the multihash of every block read (``observeReads(_:)``).
    let readObserver = Mutex<(@Sendable (Multihash) -> Void)?>(nil)

    /// Opens the repository at `path`, creating it when `create` is set and the folder is missing or empty.
    ///
    /// - Throws: ``BlockStoreError/locked(path:holderPID:)`` when another writer holds it (read-write only),
    ///   ``BlockStoreError/unsupportedRepoVersion(path:found:)`` for an unknown layout version,
    ///   ``BlockStoreError/notARepository(path:)`` for a folder with other files and no `version` (or a missing
    ///   repository when not creating), or a file system error.
    public convenience init(path: String, mode: AccessMode = .readWrite, create: Bool = true)
        throws(BlockStoreError)
    {
        try self.init(path: path, mode: mode, create: create, faults: .none)
    }

    init(path: String, mode: AccessMode, create: Bool, faults: IOFaults) throws(BlockStoreError) {
        let layout = RepoLayout(root: path)
        let mayCreate = create && mode == .readWrite
        var entries: [String]
        if let listed = try POSIX.listDirectory(path) {
            entries = listed
        } else {
            guard mayCreate else { throw .notARepository(path: path) }
            try POSIX.makeDirectory(path)
            entries = []
        }
        let isRepository = entries.contains("version")
        if !isRepository {
            // An empty folder, or the leftovers of a creation that crashed before `version` was renamed in.
            entries.removeAll { $0 == "repo.lock" || $0 == "blocks" || $0 == "files" || $0.hasPrefix("version.") }
            guard entries.isEmpty, mayCreate else { throw .notARepository(path: path) }
        }
        self.lock = mode == .readWrite ? try RepoLock(path: layout.lockFile, repository: path) : nil
        if isRepository {
            try Self.checkVersion(layout)
        } else {
            try POSIX.makeDirectory(layout.blocksDirectory)
            try POSIX.fsync(path: layout.blocksDirectory, faults: faults)
            try POSIX.writeFileAtomically(
                Array("\(Self.layoutVersion)\n".utf8), to: layout.versionFile, directory: path, faults: faults)
        }
        self.path = path
        self.accessMode = mode
        self.layout = layout
        self.faults = faults
        let references = try Self.loadReferences(layout)
        state.withLock { $0.references = references }
    }

    private static func checkVersion(_ layout: RepoLayout) throws(BlockStoreError) {
        let found: String
        switch try POSIX.readFile(layout.versionFile, limit: 64) {
        case .missing: found = ""
        case .tooLarge: found = "(a file too large to be a version)"
        case .bytes(let bytes): found = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
        }
        guard found == String(layoutVersion) else {
            throw .unsupportedRepoVersion(path: layout.root, found: found)
        }
    }

    func requireWritable() throws(BlockStoreError) {
        guard accessMode == .readWrite else { throw .readOnly(path: path) }
    }

    // MARK: BlockStore

    /// The block under `cid`'s multihash, hashed before it is returned; `nil` if there is none.
    ///
    /// - Throws: ``BlockStoreError/corruptBlock(_:path:)`` naming `cid` when the file does not hash to it or is
    ///   larger than ``Block/maxByteCount``; a file system error when it cannot be read.
    public func get(_ cid: CID) throws(BlockStoreError) -> [UInt8]? {
        let location = layout.location(of: cid.multihash)
        switch try POSIX.readFile(location.path, limit: Block.maxByteCount) {
        case .missing: return referencedBytes(cid.multihash)
        case .tooLarge: throw .corruptBlock(cid, path: location.path)
        case .bytes(let bytes):
            guard cid.multihash.matches(bytes) else { throw .corruptBlock(cid, path: location.path) }
            noteRead(cid.multihash)
            return bytes
        }
    }

    /// The bytes stored under `cid`'s multihash, *not* hashed; `nil` if there is none. Only for a caller that
    /// verified this block before (see ``VerifiedBlockMemory``): anything else uses ``get(_:)``. A block held as a
    /// reference into a user's file is hashed all the same: that file may have changed since; one in a packed file
    /// (the repository's own) is not.
    ///
    /// - Throws: ``BlockStoreError/corruptBlock(_:path:)`` when the file is larger than ``Block/maxByteCount``;
    ///   a file system error when it cannot be read.
    public func unverifiedBytes(_ cid: CID) throws(BlockStoreError) -> [UInt8]? {
        let location = layout.location(of: cid.multihash)
        switch try POSIX.readFile(location.path, limit: Block.maxByteCount) {
        case .missing: return referencedBytes(cid.multihash, hashingPackedFiles: false)
        case .tooLarge: throw .corruptBlock(cid, path: location.path)
        case .bytes(let bytes):
            noteRead(cid.multihash)
            return bytes
        }
    }

    /// The block under `cid`: ``get(_:)`` already hashes what it reads, so this does not hash again.
    public func getVerified(_ cid: CID) throws(BlockStoreError) -> Block? {
        try get(cid).map { Block(uncheckedCID: cid, bytes: $0) }
    }

    /// Starts reading `cid`'s block file into the page cache and returns at once (Linux `POSIX_FADV_WILLNEED`;
    /// elsewhere nothing), so that a ``get(_:)`` soon after finds it in memory instead of waiting for the disk. A
    /// missing block is ignored.
    public func prepareToRead(_ cid: CID) {
        POSIX.adviseWillRead(layout.location(of: cid.multihash).path)
    }

    /// Whether a block file exists for `cid`'s multihash, or a file reference whose file is long enough (not
    /// hashed; ``get(_:)`` and ``verify()`` check bytes).
    public func has(_ cid: CID) -> Bool {
        POSIX.exists(layout.location(of: cid.multihash).path) || hasReference(cid.multihash)
    }

    /// Stores one block durably before returning (its own one-block ``WriteSession``). For many blocks, use
    /// ``beginSession(policy:startsWriteback:)``: it groups the fsyncs, and it keeps GC away from the blocks until
    /// they are pinned (a block stored here is unpinned, so the next ``gc()`` may delete it).
    public func put(_ block: Block) throws(BlockStoreError) {
        let session = try beginSession()
        do throws(BlockStoreError) {
            try session.put(block)
            try session.close()
        } catch {
            session.discard()
            throw error
        }
    }

    /// Removes the block file under `cid`'s multihash, and its file reference; returns whether there was either.
    @discardableResult
    public func delete(_ cid: CID) throws(BlockStoreError) -> Bool {
        try requireWritable()
        let removedFile = try POSIX.unlink(layout.location(of: cid.multihash).path)
        let removedReference = try removeReferences { $0 == cid.multihash } > 0
        return removedFile || removedReference
    }

    // MARK: Sessions

    /// Starts a write session: blocks put through it are written with grouped fsyncs, and garbage collection
    /// keeps every block it wrote or touched until it is closed or discarded.
    ///
    /// - Parameter startsWriteback: whether each write asks the kernel to start writing its file out at once
    ///   (Linux `sync_file_range`), so that the flush finds most of the data on its way. That call can wait: the
    ///   block layer holds it while the device is congested (writeback throttling), for as long as a stall of the
    ///   disk lasts. A writer that must not wait for the disk on every block, such as a fetch's write lane, passes
    ///   `false`, and the flush (one `syncfs`) writes the whole session.
    public func beginSession(
        policy: WriteSession.Policy = .default,
        startsWriteback: Bool = true
    ) throws(BlockStoreError) -> WriteSession {
        try requireWritable()
        let id = state.withLock { state in
            let id = state.nextSessionID
            state.nextSessionID += 1
            state.sessions[id] = []
            return id
        }
        return WriteSession(store: self, id: id, policy: policy, startsWriteback: startsWriteback)
    }

    /// Records that session `id` holds `multihash`, so GC keeps it. Called before the session looks at the disk.
    func protect(_ multihash: Multihash, session id: Int) {
        state.withLock { _ = $0.sessions[id]?.insert(multihash) }
    }

    /// A fresh temporary file name for a block, registered as live.
    func newTemporary(directory: String, key: String) -> String {
        state.withLock { state in
            let id = state.nextTemporaryID
            state.nextTemporaryID += 1
            let path = "\(directory)/.\(key).\(getpid())-\(id)\(RepoLayout.temporarySuffix)"
            state.liveTemporaries.insert(path)
            return path
        }
    }

    /// Whether `path` is a temporary file that a live writer owns.
    func isLiveTemporary(_ path: String) -> Bool {
        state.withLock { $0.liveTemporaries.contains(path) }
    }

    /// Marks temporary files as no longer live (renamed or removed).
    func releaseTemporaries(_ paths: some Sequence<String>) {
        state.withLock { state in for path in paths { state.liveTemporaries.remove(path) } }
    }

    /// Ends a session's protection.
    func endSession(_ id: Int) {
        state.withLock { _ = $0.sessions.removeValue(forKey: id) }
    }

    // MARK: Enumeration

    /// A file in a shard folder.
    struct ShardFile {
        var path: String
        var name: String
        /// The block the name stands for; `nil` for temporary files and names that are not block keys.
        var multihash: Multihash?
        var isTemporary: Bool { name.hasSuffix(RepoLayout.temporarySuffix) }
    }

    /// Calls `body` with every file in every shard folder, in no particular order.
    func forEachShardFile(_ body: (ShardFile) throws(BlockStoreError) -> Void) throws(BlockStoreError) {
        guard let shards = try POSIX.listDirectory(layout.blocksDirectory) else { return }
        for shard in shards {
            let directory = layout.blocksDirectory + "/" + shard
            guard let names = try POSIX.listDirectory(directory) else { continue }
            for name in names {
                try body(
                    ShardFile(
                        path: directory + "/" + name, name: name,
                        multihash: RepoLayout.multihash(fromFileName: name)))
            }
        }
    }

    // MARK: stat and verify

    /// Counts the blocks and their bytes (`repo stat`); blocks held as file references are counted apart.
    public func stat() throws(BlockStoreError) -> RepoStat {
        var result = RepoStat()
        try forEachShardFile { file in
            if file.multihash != nil {
                result.blockCount += 1
                result.byteCount += UInt64(POSIX.fileSize(file.path) ?? 0)
            } else if file.isTemporary {
                result.temporaryFileCount += 1
            }
        }
        // Packed files being written, or left by a crash.
        for name in try POSIX.listDirectory(layout.filesDirectory) ?? [] where name.hasSuffix(RepoLayout.temporarySuffix) {
            result.temporaryFileCount += 1
        }
        for (path, reference) in allReferences() {
            if isPackedFile(path) {
                result.blockCount += 1
                result.byteCount += UInt64(reference.blockByteCount)
            } else {
                result.referencedBlockCount += 1
                result.referencedByteCount += UInt64(reference.blockByteCount)
            }
        }
        return result
    }

    /// Rehashes every block file and lists the ones that do not match their names (`repo verify`).
    ///
    /// Reads only; it does not delete or repair anything. Files whose names are not block keys are listed too.
    public func verify() throws(BlockStoreError) -> RepoVerifyReport {
        var report = RepoVerifyReport()
        try forEachShardFile { file in
            if file.isTemporary { return }
            guard let multihash = file.multihash else {
                report.corrupt.append(.init(path: file.path, multihash: nil, problem: .unrecognizedName))
                return
            }
            report.checkedCount += 1
            let problem: RepoVerifyReport.Problem?
            do throws(BlockStoreError) {
                switch try POSIX.readFile(file.path, limit: Block.maxByteCount) {
                case .missing: problem = nil  // Removed since the listing.
                case .tooLarge(let size): problem = .tooLarge(byteCount: size)
                case .bytes(let bytes):
                    let actual = Multihash(hashing: bytes)
                    problem = actual == multihash ? nil : .hashMismatch(actual: actual)
                }
            } catch {
                problem = .unreadable(error)
            }
            if let problem {
                report.corrupt.append(.init(path: file.path, multihash: multihash, problem: problem))
            }
        }
        for (path, reference) in allReferences() {
            report.checkedCount += 1
            if Self.read(reference, in: path) == nil {
                report.corrupt.append(.init(path: path, multihash: reference.cid.multihash, problem: .referencedFileChanged))
            }
        }
        for index in try unreadableIndexFiles() {
            report.corrupt.append(.init(path: index, multihash: nil, problem: .unrecognizedName))
        }
        return report
    }
}

/// Counts from ``FileBlockStore/stat()``.
public struct RepoStat: Hashable, Sendable {
    /// Blocks stored in the repository: block files, and leaves in packed files.
    public var blockCount = 0
    /// Their total size in bytes.
    public var byteCount: UInt64 = 0
    /// Temporary files: blocks being written, or leftovers of a crash that ``FileBlockStore/gc()`` removes.
    public var temporaryFileCount = 0
    /// Blocks held as references into files outside the repository (``FileReference``), not in ``blockCount``.
    public var referencedBlockCount = 0
    /// Their bytes (in those files, not in the repository).
    public var referencedByteCount: UInt64 = 0
}
