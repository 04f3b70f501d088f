#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Packed files: the leaves of an added file kept in one file of the repository, `files/NAME.pack`, in the order
/// of the file, with an index `files/NAME.refs` of ``FileReference``s into it (as iroh-blobs keeps a blob in one
/// file, and as `dhtnode get -o` keeps a fetched file's leaves in the user's file).
///
/// Why: a file per block costs a file creation, a rename and a share of the folders' syncs per 256 KiB, and most of
/// the time of an `add` went there; one packed file costs one sequential write and one fsync. The bytes are copied
/// (unlike `get -o`'s references into the user's file): the user may change or delete what they added.
///
/// Rules:
/// - A packed file belongs to the repository: it is written once, never changed, and removed by ``gc()`` once no
///   index names it (its last reference dropped by GC or ``delete(_:)``, or a crash between its rename and its
///   index).
/// - It is durable before its index is written, and its index before the root is pinned, so a crash leaves a pinned
///   root whole or no pin at all.
/// - Its index names it relative to `files/`, so a repository folder can be moved.
/// - Reads through its references are hashed as block files are: by ``get(_:)``, and not by
///   ``unverifiedBytes(_:)`` (for blocks the caller verified before).
extension FileBlockStore {
    /// Starts a packed file: a temporary file in `files/` that GC leaves alone while `writer` lives.
    public func beginPackedFile() throws(BlockStoreError) -> PackedFileWriter {
        try requireWritable()
        _ = try POSIX.makeDirectory(layout.filesDirectory)
        let temporary = newTemporary(directory: layout.filesDirectory, key: "pack")
        do throws(BlockStoreError) {
            guard let fd = try POSIX.open(temporary, O_WRONLY | O_CREAT | O_EXCL) else {
                throw .fileSystem(operation: "open", path: temporary, errno: ENOENT)
            }
            return PackedFileWriter(store: self, temporary: temporary, descriptor: fd)
        } catch {
            releaseTemporaries(CollectionOfOne(temporary))
            throw error
        }
    }

    /// Makes `writer`'s bytes durable as `files/NAME.pack` (replacing a packed file of that name, which held the same
    /// bytes if `NAME` is the file's root) and records `references` into it under the index name `NAME`.
    ///
    /// The caller keeps the blocks from GC until they are pinned (``WriteSession/hold(_:)``): an unpinned reference
    /// is GC's to drop like an unpinned block file.
    ///
    /// - Throws: a file system error; the temporary file is removed then.
    public func commitPackedFile(
        _ writer: PackedFileWriter,
        name: String,
        references: [FileReference]
    )
        throws(BlockStoreError)
    {
        do throws(BlockStoreError) {
            try writer.syncAndClose()
            let final = packedFilePath(name)
            // Under the pin gate, so that GC never sees the packed file without its index.
            try pinGate.withLock { (_) throws(BlockStoreError) in
                try POSIX.rename(writer.temporary, final)
                writer.committed()
                try POSIX.fsync(path: layout.filesDirectory, faults: faults)
                try addReferences(references, inFile: final, name: name)
            }
        } catch {
            writer.discard()
            throw error
        }
    }

    /// The path of the packed file named `name`.
    func packedFilePath(_ name: String) -> String { layout.filesDirectory + "/" + name + RepoLayout.packedSuffix }

    /// Whether `path` is one of the repository's packed files (not a user's file).
    func isPackedFile(_ path: String) -> Bool {
        path.hasPrefix(layout.filesDirectory + "/") && path.hasSuffix(RepoLayout.packedSuffix)
            && !path.dropFirst(layout.filesDirectory.count + 1).contains("/")
    }

    /// Removes the packed files that no index names; returns how many bytes they held. Called by GC, under the pin
    /// gate.
    func removeUnindexedPackedFiles() throws(BlockStoreError) -> (files: Int, bytes: UInt64) {
        let indexed = state.withLock { state in Set(state.references.files.values.map(\.path)) }
        var removed = (files: 0, bytes: UInt64(0))
        for name in try POSIX.listDirectory(layout.filesDirectory) ?? [] where name.hasSuffix(RepoLayout.packedSuffix) {
            let path = layout.filesDirectory + "/" + name
            guard !indexed.contains(path) else { continue }
            let size = UInt64(POSIX.fileSize(path) ?? 0)
            if try POSIX.unlink(path) {
                removed.files += 1
                removed.bytes += size
            }
        }
        return removed
    }
}
