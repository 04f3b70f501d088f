#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a cache of unpinned blocks needs from the store: the reads it sees, the unpinned block files with their
/// sizes and last use, and deletions that can never touch a pinned block or one a write session holds.
///
/// Rules:
/// - ``evict(_:pinned:)`` deletes under the same gate as ``pin(_:)`` and ``gc()``, after looking at the pins as they
///   are then: a block that a pin reaches is never deleted, even when the pin was added a moment ago.
/// - A block a live ``WriteSession`` holds is not deleted either (an import about to pin it, a fetch still writing).
/// - A block's last use is its file's modification time: ``markUsed(_:)`` sets it to now, so the recency order
///   survives a restart without a file of its own.
extension FileBlockStore {
    /// The blocks the pins reach, as last walked, and which pin file they were walked from: walked again only when
    /// the pin file changed (it is replaced whole on every change, so its inode and time tell).
    public struct PinnedBlocks: Sendable {
        fileprivate var pinFile: [Int64]?
        fileprivate var blocks: Set<Multihash> = []

        /// Nothing walked yet.
        public init() {}

        /// Whether `multihash` is reached by a pin, as of the last walk.
        public func contains(_ multihash: Multihash) -> Bool { blocks.contains(multihash) }
    }

    /// What ``evict(_:pinned:)`` did with each candidate.
    public struct Eviction: Sendable, Hashable {
        /// Deleted, with the bytes their files held.
        public var removed: [Multihash: UInt64] = [:]
        /// Kept: a pin reaches them.
        public var pinned: [Multihash] = []
        /// Kept: a live write session holds them.
        public var held: [Multihash] = []
        /// No file was there (deleted by someone else, or never moved into place).
        public var missing: [Multihash] = []
    }

    /// An unpinned block file: its size and when it was last used (modification time, seconds since 1970).
    public struct UnpinnedBlock: Sendable, Hashable {
        /// The block.
        public var multihash: Multihash
        /// The file's size.
        public var byteCount: UInt64
        /// The file's modification time in seconds: when it was written, or last marked used.
        public var lastUsed: Int64
    }

    /// Sets the observer told the multihash of every block read by ``get(_:)`` or ``unverifiedBytes(_:)`` (replacing
    /// any earlier one). It runs on the reading thread, so it must be quick and must not read blocks itself.
    public func observeReads(_ observer: @escaping @Sendable (Multihash) -> Void) {
        readObserver.withLock { $0 = observer }
    }

    func noteRead(_ multihash: Multihash) {
        if let observer = readObserver.withLock({ $0 }) { observer(multihash) }
    }

    /// Deletes each candidate block unless a pin reaches it or a live write session holds it; walks the pinned DAGs
    /// again first when the pins changed since `pinned` was walked.
    ///
    /// - Throws: what walking a pinned DAG throws (a missing or corrupt node under a pin): then nothing is deleted,
    ///   as ``gc()`` refuses to run; a file system error deleting a block.
    public func evict(_ candidates: [Multihash], pinned: inout PinnedBlocks) throws(BlockStoreError) -> Eviction {
        try requireWritable()
        return try pinGate.withLock { (_) throws(BlockStoreError) -> Eviction in
            try refresh(&pinned)
            var eviction = Eviction()
            for multihash in candidates {
                if pinned.blocks.contains(multihash) {
                    eviction.pinned.append(multihash)
                    continue
                }
                let path = layout.location(of: multihash).path
                let size = UInt64(POSIX.fileSize(path) ?? 0)
                let removed = try state.withLock { (state) throws(BlockStoreError) -> Bool? in
                    if state.sessions.values.contains(where: { $0.contains(multihash) }) { return nil }
                    return try POSIX.unlink(path)
                }
                switch removed {
                case nil: eviction.held.append(multihash)
                case true?: eviction.removed[multihash] = size
                case false?: eviction.missing.append(multihash)
                }
            }
            return eviction
        }
    }

    /// Every block file that no pin reaches, with its size and last use, oldest use first (ties by name).
    ///
    /// - Throws: what walking a pinned DAG throws; a file system error listing the folders.
    public func unpinnedBlocks(pinned: inout PinnedBlocks) throws(BlockStoreError) -> [UnpinnedBlock] {
        let live = try pinGate.withLock { (_) throws(BlockStoreError) -> Set<Multihash> in
            try refresh(&pinned)
            return pinned.blocks
        }
        var found: [(block: UnpinnedBlock, name: String)] = []
        try forEachShardFile { file in
            guard let multihash = file.multihash, !live.contains(multihash),
                let status = sizeAndModification(file.path)
            else { return }
            found.append(
                (UnpinnedBlock(multihash: multihash, byteCount: status.size, lastUsed: status.modified.seconds), file.name))
        }
        found.sort { ($0.block.lastUsed, $0.name) < ($1.block.lastUsed, $1.name) }
        return found.map(\.block)
    }

    /// Records that the block was used now (its file's modification time), for the recency order after a restart.
    /// A missing file is ignored.
    public func markUsed(_ multihash: Multihash) {
        _ = utimensat(AT_FDCWD, layout.location(of: multihash).path, nil, 0)
    }

    /// Walks the pinned DAGs into `pinned` unless its pin file is the current one. Called under the pin gate.
    private func refresh(_ pinned: inout PinnedBlocks) throws(BlockStoreError) {
        // The pin file is replaced whole (rename) on every change: a new inode, size or time is a new pin set.
        let identity: [Int64] =
            sizeAndModification(layout.pinsFile).map { [$0.inode, Int64($0.size), $0.modified.seconds, $0.modified.nanoseconds] }
            ?? []
        guard pinned.pinFile != identity else { return }
        var live = Set<Multihash>()
        for root in try PinSet(reading: layout.pinsFile).sorted {
            try walkDAG(from: root, visited: &live, requireLeaves: false)
        }
        pinned.blocks = live
        pinned.pinFile = identity
    }
}

/// A file's size, modification time and inode (`lstat`); `nil` when it cannot be read.
private func sizeAndModification(_ path: String) -> (size: UInt64, modified: (seconds: Int64, nanoseconds: Int64), inode: Int64)? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    #if canImport(Darwin)
    let time = info.st_mtimespec
    #else
    let time = info.st_mtim
    #endif
    return (UInt64(info.st_size), (Int64(time.tv_sec), Int64(time.tv_nsec)), Int64(info.st_ino))
}
