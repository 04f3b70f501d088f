#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocks kept as ranges of files outside the repository (``FileReference``), so that a file written out by a
/// fetch (`dhtnode get -o`) is not stored a second time as block files.
///
/// Rules:
/// - A reference is recorded only for a block that was verified on arrival and whose file bytes were written to the
///   file it names; every read through it is hashed again, and bytes that no longer match (the user changed or
///   deleted the file) read as a missing block, never as the block. ``has(_:)`` counts a reference only while its
///   file has the size and modification time it had when the reference was recorded (so a fetch gets a changed
///   file's blocks again); ``verify()`` lists the ones whose bytes no longer match.
/// - Index files (`ROOT/files/NAME.refs`, see ``FileReferenceTable``) are replaced atomically. Nothing depends on
///   their durability beyond that: a lost index only makes its blocks missing, to be fetched again.
/// - References obey pins and GC like block files: ``gc()`` drops the ones no pin reaches and no live session holds,
///   ``delete(_:)`` drops one. The referenced file itself is never deleted or changed by the repository.
/// - At most ``maxReferencedBlocks`` references are held; past that, ``addReferences(_:inFile:name:)`` copies the
///   blocks into block files instead.
extension FileBlockStore {
    /// The most blocks held as references (4,194,304: 1 TiB of 256 KiB leaves; about 100 bytes of memory each).
    public static let maxReferencedBlocks = 1 << 22

    /// Reads every index file of `layout`; index files that do not parse are skipped (``verify()`` lists them).
    static func loadReferences(_ layout: RepoLayout) throws(BlockStoreError) -> FileReferenceTable {
        var table = FileReferenceTable()
        for name in try POSIX.listDirectory(layout.filesDirectory) ?? [] where name.hasSuffix(FileReferenceTable.suffix) {
            guard case .bytes(let bytes) = try POSIX.readFile(layout.filesDirectory + "/" + name, limit: 1 << 30),
                let (stored, stamp, references) = FileReferenceTable.decode(bytes),
                table.count + references.count <= maxReferencedBlocks
            else { continue }
            // A relative path names a packed file in `files/`.
            let path = stored.hasPrefix("/") ? stored : layout.filesDirectory + "/" + stored
            table.set(references, path: path, stamp: stamp, name: String(name.dropLast(FileReferenceTable.suffix.count)))
        }
        return table
    }

    /// Records that the blocks of `references` lie in the file at `path` (absolute), under the index name `name`
    /// (which replaces an index of that name). The caller verified each block and wrote its file bytes there.
    /// Past ``maxReferencedBlocks`` the blocks are read back from `path`, hashed, and stored as block files instead.
    ///
    /// - Throws: a file system error writing the index (or the copies); ``BlockStoreError/readOnly(path:)``.
    public func addReferences(_ references: [FileReference], inFile path: String, name: String)
        throws(BlockStoreError)
    {
        try requireWritable()
        let fits = state.withLock { state in
            state.references.count - (state.references.references(name: name)?.references.count ?? 0)
                + references.count <= Self.maxReferencedBlocks
        }
        guard fits else {
            let session = try beginSession()
            do throws(BlockStoreError) {
                for reference in references {
                    guard let bytes = Self.read(reference, in: path) else {
                        throw .corruptBlock(reference.cid, path: path)
                    }
                    try session.put(Block(uncheckedCID: reference.cid, bytes: bytes))
                }
                try session.close()
            } catch {
                session.discard()
                throw error
            }
            return
        }
        guard let stamp = POSIX.stamp(path) else { throw .fileSystem(operation: "stat", path: path, errno: ENOENT) }
        _ = try POSIX.makeDirectory(layout.filesDirectory)
        try POSIX.writeFileAtomically(
            indexText(references, path: path, stamp: stamp), to: indexPath(name),
            directory: layout.filesDirectory, faults: faults)
        state.withLock { $0.references.set(references, path: path, stamp: stamp, name: name) }
    }

    /// How many blocks are held as references.
    public var referencedBlockCount: Int { state.withLock { $0.references.count } }

    /// The block `multihash` names read through its reference, hashed (without `hashingPackedFiles`, only when it
    /// lies in a user's file); `nil` when there is none or its bytes no longer match.
    func referencedBytes(_ multihash: Multihash, hashingPackedFiles: Bool = true) -> [UInt8]? {
        guard let entry = state.withLock({ $0.references.entry(multihash) }) else { return nil }
        return Self.read(entry.reference, in: entry.path, hashing: hashingPackedFiles || !isPackedFile(entry.path))
    }

    /// An index file's text; a packed file is named relative to `files/`.
    private func indexText(_ references: [FileReference], path: String, stamp: FileStamp) -> [UInt8] {
        let stored = isPackedFile(path) ? String(path.dropFirst(layout.filesDirectory.count + 1)) : path
        return FileReferenceTable.encode(references, path: stored, stamp: stamp)
    }

    /// Whether `multihash` has a reference whose file still has the size and modification time it had when the
    /// reference was recorded (not hashed).
    func hasReference(_ multihash: Multihash) -> Bool {
        guard let entry = state.withLock({ $0.references.entry(multihash) }) else { return false }
        return POSIX.stamp(entry.path) == entry.stamp
    }

    /// Drops the references `drop` picks and rewrites their index files (removing the emptied ones); returns how
    /// many were dropped.
    @discardableResult
    func removeReferences(where drop: (Multihash) -> Bool) throws(BlockStoreError) -> Int {
        let (dropped, rewrites) = state.withLock { state in
            let before = state.references.count
            let changed = state.references.remove(where: drop)
            return (before - state.references.count, changed.map { ($0, state.references.references(name: $0)) })
        }
        for (name, kept) in rewrites {
            if let kept, !kept.references.isEmpty {
                try POSIX.writeFileAtomically(
                    indexText(kept.references, path: kept.path, stamp: kept.stamp),
                    to: indexPath(name), directory: layout.filesDirectory, faults: faults)
            } else {
                state.withLock { $0.references.remove(name: name) }
                _ = try POSIX.unlink(indexPath(name))
            }
        }
        return dropped
    }

    /// Every reference with its file, for ``stat()`` and ``verify()``.
    func allReferences() -> [(path: String, reference: FileReference)] {
        state.withLock { state in state.references.blocks.values.map { ($0.path, $0.reference) } }
    }

    /// Index files in `files/` that are not loaded (they do not parse).
    func unreadableIndexFiles() throws(BlockStoreError) -> [String] {
        let loaded = state.withLock { Set($0.references.files.keys) }
        return (try POSIX.listDirectory(layout.filesDirectory) ?? []).filter { name in
            name.hasSuffix(FileReferenceTable.suffix) && !loaded.contains(String(name.dropLast(FileReferenceTable.suffix.count)))
        }.map { layout.filesDirectory + "/" + $0 }
    }

    private func indexPath(_ name: String) -> String { layout.filesDirectory + "/" + name + FileReferenceTable.suffix }

    /// The block bytes of `reference` read from `path` and hashed; `nil` when the file is missing, short or changed.
    static func read(_ reference: FileReference, in path: String, hashing: Bool = true) -> [UInt8]? {
        let fd = path.withCString { SystemCall.open($0, O_RDONLY | O_CLOEXEC, 0) }
        guard fd >= 0 else { return nil }
        defer { _ = SystemCall.close(fd) }
        var bytes = [UInt8](repeating: 0, count: reference.blockByteCount)
        let start = reference.prefix.count
        let complete = bytes.withUnsafeMutableBytes { buffer -> Bool in
            buffer.copyBytes(from: reference.prefix)
            var done = 0
            while done < reference.length {
                let count = pread(
                    fd, buffer.baseAddress! + start + done, reference.length - done,
                    off_t(reference.offset) + off_t(done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                done += count
            }
            UnsafeMutableRawBufferPointer(rebasing: buffer[(start + reference.length)...]).copyBytes(from: reference.suffix)
            return true
        }
        guard complete, !hashing || reference.cid.multihash.matches(bytes) else { return nil }
        return bytes
    }
}
