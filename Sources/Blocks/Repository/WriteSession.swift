import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A batch of block writes into a ``FileBlockStore``, and a lease that keeps them from garbage collection.
///
/// An importer or a fetch opens a session, puts blocks through it, and closes it when the blocks are pinned or no
/// longer needed. While it is open:
/// - every block it puts (including one that was already stored) is a GC root, so ``FileBlockStore/gc()`` never
///   deletes a block that an import in progress has written;
/// - blocks go to temporary files first; a flush fsyncs those files, renames them to their final names and fsyncs
///   each touched folder once. With ``Policy/batched(maxBlocks:maxBytes:)`` a flush happens whenever a batch
///   fills; with ``Policy/staged`` only at ``flush()`` or ``close()``, so ``discard()`` can take back everything
///   (CAR import relies on that).
///
/// Unless opened with `startsWriteback: false`, writes start the kernel's writeback at once (`sync_file_range` on
/// Linux), so the batch fsync mostly waits for I/O already under way; a batched session keeps each file open until
/// its fsync.
///
/// Blocks not yet flushed are not visible through ``get(_:)`` or ``has(_:)``. A session that is dropped without
/// ``close()`` is discarded: its unflushed temporary files are removed. Thread-safe; puts are serialised.
public final class WriteSession: BlockStore {
    /// When a session moves blocks to their final names.
    public enum Policy: Sendable, Hashable {
        /// Flush whenever `maxBlocks` blocks or `maxBytes` bytes are waiting, and at ``flush()`` and ``close()``.
        case batched(maxBlocks: Int, maxBytes: Int)
        /// Flush only at ``flush()`` and ``close()``: nothing reaches a final name before that.
        case staged

        /// 256 blocks or 64 MiB a batch: one flush per 64 MiB of 256 KiB chunks.
        public static let `default` = Policy.batched(maxBlocks: 256, maxBytes: 64 << 20)
    }

    /// The most temporary files a batched session keeps open until their fsync; larger batches reopen them.
    static let maxOpenFiles = 512

    private struct Pending {
        var temporary: String
        /// The temporary file, still open for its fsync (batched sessions), or `nil` once closed.
        var fd: Int32?
        var final: String
    }

    private struct State {
        var pending: [Pending] = []
        var pendingFinals: Set<String> = []
        var pendingBytes = 0
        /// Folders whose entries changed since the last flush.
        var dirtyDirectories: Set<String> = []
        var isClosed = false
        var putCount = 0
    }

    /// The store written to.
    public let store: FileBlockStore
    /// The flush policy.
    public let policy: Policy
    /// Whether each write starts the kernel's writeback of its file at once
    /// (``FileBlockStore/beginSession(policy:startsWriteback:)``).
    public let startsWriteback: Bool
    private let id: Int
    private let state = Mutex(State())

    init(store: FileBlockStore, id: Int, policy: Policy, startsWriteback: Bool) {
        self.store = store
        self.id = id
        self.policy = policy
        self.startsWriteback = startsWriteback
    }

    deinit {
        discard()
    }

    /// Blocks put so far (including ones already stored).
    public var putCount: Int { state.withLock { $0.putCount } }

    /// Writes a block to a temporary file (nothing if it is already stored) and marks it as held by this session.
    ///
    /// - Throws: ``BlockStoreError/diskFull(path:)`` or another file system error (the temporary file is removed;
    ///   earlier blocks stay pending), ``BlockStoreError/sessionClosed`` after ``close()`` or ``discard()``.
    public func put(_ block: Block) throws(BlockStoreError) {
        _ = try putIfAbsent(block)
    }

    /// Keeps the block under `cid` from GC until the session ends, without writing it: for blocks stored another
    /// way (a packed file's leaves) that a pin will reach once the import is done.
    public func hold(_ cid: CID) {
        store.protect(cid.multihash, session: id)
    }

    /// ``put(_:)``, and whether this call wrote the block's file: `false` when the block was stored already or is
    /// pending in this session (its file on disk, if any, was not written by this call).
    public func putIfAbsent(_ block: Block) throws(BlockStoreError) -> Bool {
        try state.withLock { (state) throws(BlockStoreError) -> Bool in
            guard !state.isClosed else { throw .sessionClosed }
            state.putCount += 1
            // Protect first, then look: a GC that removes the file before this point is seen below as "missing".
            store.protect(block.cid.multihash, session: id)
            let location = store.layout.location(of: block.cid.multihash)
            if state.pendingFinals.contains(location.path) || POSIX.exists(location.path) { return false }
            let temporary = store.newTemporary(directory: location.directory, key: location.key)
            let fd: Int32
            do throws(BlockStoreError) {
                fd = try write(block.bytes, to: temporary, directory: location.directory, state: &state)
            } catch {
                _ = SystemCall.unlink(temporary)
                store.releaseTemporaries(CollectionOfOne(temporary))
                throw error
            }
            // A batched session keeps each file open until its fsync (at most one batch of descriptors); a staged
            // one may hold any number of files, so it closes them and reopens them to fsync.
            var kept: Int32? = fd
            switch policy {
            case .batched(let maxBlocks, _) where maxBlocks <= Self.maxOpenFiles: break
            default:
                POSIX.close(fd)
                kept = nil
            }
            state.pending.append(Pending(temporary: temporary, fd: kept, final: location.path))
            state.pendingFinals.insert(location.path)
            state.pendingBytes += block.bytes.count
            state.dirtyDirectories.insert(location.directory)
            if case .batched(let maxBlocks, let maxBytes) = policy,
                state.pending.count >= maxBlocks || state.pendingBytes >= maxBytes
            {
                try flush(&state)
            }
            return true
        }
    }

    /// Writes a temporary file, creating its shard folder on first use (the folder is not looked up first: the
    /// exclusive create fails with ENOENT when it is missing, which is rare once a repository has some blocks).
    private func write(_ bytes: [UInt8], to path: String, directory: String, state: inout State)
        throws(BlockStoreError) -> Int32
    {
        let flags = O_WRONLY | O_CREAT | O_EXCL
        var opened: Int32?
        do throws(BlockStoreError) {
            opened = try POSIX.open(path, flags)
        } catch {
            guard case .fileSystem(_, _, ENOENT) = error else { throw error }
            if try POSIX.makeDirectory(directory) { state.dirtyDirectories.insert(store.layout.blocksDirectory) }
            opened = try POSIX.open(path, flags)
        }
        guard let fd = opened else { throw .fileSystem(operation: "open", path: path, errno: ENOENT) }
        do throws(BlockStoreError) {
            try POSIX.writeAll(fd, bytes, path: path, faults: store.faults)
        } catch {
            POSIX.close(fd)
            throw error
        }
        if startsWriteback { POSIX.startWriteback(fd) }
        return fd
    }

    /// Makes every block put so far durable under its final name: sync the temporary files (one `syncfs` on
    /// Linux, else an fsync each), rename them, sync the folders (again one `syncfs`, else an fsync each).
    public func flush() throws(BlockStoreError) {
        try state.withLock { (state) throws(BlockStoreError) in
            guard !state.isClosed else { throw .sessionClosed }
            try flush(&state)
        }
    }

    private func flush(_ state: inout State) throws(BlockStoreError) {
        if POSIX.canSyncFileSystem {
            // One syncfs makes every temporary file of the batch durable at once.
            try POSIX.syncFileSystem(
                containing: store.layout.blocksDirectory, paths: state.pending.map(\.temporary), faults: store.faults)
            for index in state.pending.indices {
                if let fd = state.pending[index].fd { POSIX.close(fd) }
                state.pending[index].fd = nil
            }
        } else {
            for index in state.pending.indices {
                if let fd = state.pending[index].fd {
                    try POSIX.fsync(fd, path: state.pending[index].temporary, faults: store.faults)
                    POSIX.close(fd)
                    state.pending[index].fd = nil
                } else {
                    try POSIX.fsync(path: state.pending[index].temporary, faults: store.faults)
                }
            }
        }
        // Only fsynced files are renamed, so a final name never points at data the disk has not got.
        var renamed = 0
        defer {
            store.releaseTemporaries(state.pending[..<renamed].map(\.temporary))
            for pending in state.pending[..<renamed] { state.pendingFinals.remove(pending.final) }
            state.pending.removeFirst(renamed)
            if state.pending.isEmpty { state.pendingBytes = 0 }
        }
        for pending in state.pending {
            try POSIX.rename(pending.temporary, pending.final)
            renamed += 1
        }
        let directories = state.dirtyDirectories.sorted(by: >)
        if POSIX.canSyncFileSystem {
            // And one more makes the renames durable (the folders' entries).
            try POSIX.syncFileSystem(containing: store.layout.blocksDirectory, paths: directories, faults: store.faults)
        } else {
            for directory in directories {
                try POSIX.fsync(path: directory, faults: store.faults)
            }
        }
        state.dirtyDirectories.removeAll()
    }

    /// Flushes and ends the session: its blocks are durable, and GC no longer treats them as roots. The session
    /// ends even when the flush fails (its unflushed temporary files are then removed).
    public func close() throws(BlockStoreError) {
        try state.withLock { (state) throws(BlockStoreError) in
            guard !state.isClosed else { return }
            defer { end(&state) }
            try flush(&state)
        }
    }

    /// Ends the session without flushing: blocks not yet flushed are removed. Blocks already flushed stay (they are
    /// valid blocks; GC collects them unless pinned).
    public func discard() {
        state.withLock { state in
            guard !state.isClosed else { return }
            end(&state)
        }
    }

    private func end(_ state: inout State) {
        for pending in state.pending {
            if let fd = pending.fd { POSIX.close(fd) }
            _ = SystemCall.unlink(pending.temporary)
        }
        store.releaseTemporaries(state.pending.map(\.temporary))
        state.pending.removeAll()
        state.pendingFinals.removeAll()
        state.isClosed = true
        store.endSession(id)
    }

    // MARK: Reads go to the store

    /// The store's block (flushed blocks only).
    public func get(_ cid: CID) throws(BlockStoreError) -> [UInt8]? { try store.get(cid) }

    /// The store's block, checked once (flushed blocks only).
    public func getVerified(_ cid: CID) throws(BlockStoreError) -> Block? { try store.getVerified(cid) }

    /// Whether the store has the block (flushed blocks only).
    public func has(_ cid: CID) throws(BlockStoreError) -> Bool { store.has(cid) }

    /// Deletes from the store.
    @discardableResult
    public func delete(_ cid: CID) throws(BlockStoreError) -> Bool { try store.delete(cid) }
}
