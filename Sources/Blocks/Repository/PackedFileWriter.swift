import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's bytes on their way into the repository as one packed file (``FileBlockStore/beginPackedFile()``).
///
/// Any thread may write any part at any time (``write(_:at:)`` takes an offset), so several threads can copy and
/// hash a file's pieces at once. ``FileBlockStore/commitPackedFile(_:name:references:)`` makes the bytes durable and
/// gives them their name; a writer discarded or dropped without a commit removes its temporary file, and until then
/// GC leaves that file alone. Every write must have returned before the commit or the discard.
public final class PackedFileWriter: Sendable {
    let store: FileBlockStore
    /// The temporary file, `files/.pack.PID-N.tmp`.
    let temporary: String
    private let descriptor: Mutex<Int32?>
    /// Held across each write: a buffered write takes the file's inode lock anyway, and a thread waiting here sleeps
    /// (and can hash its next piece meanwhile) where one waiting in the kernel spins.
    private let writing = Mutex(())

    init(store: FileBlockStore, temporary: String, descriptor: Int32) {
        self.store = store
        self.temporary = temporary
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        discard()
    }

    /// Writes `bytes` at `offset`, and asks the kernel to start writing them to the disk.
    ///
    /// - Throws: ``BlockStoreError/diskFull(path:)`` or another file system error;
    ///   ``BlockStoreError/sessionClosed`` after a commit or discard.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(BlockStoreError) {
        // Writes run outside the lock, so that threads write at once: the owner ends every write before it commits
        // or discards (a descriptor closed under a write could be reused by another file).
        guard let fd = descriptor.withLock({ $0 }) else { throw .sessionClosed }
        try writing.withLock { (_) throws(BlockStoreError) in
            try POSIX.writeAll(fd, bytes, at: offset, path: temporary, faults: store.faults)
        }
        // The disk starts on these bytes now, while the next pieces are hashed, instead of all at the commit's
        // fsync: an import then takes about as long as the disk needs for the bytes, not that plus the copying.
        DiskWriteback.start(descriptor: fd)
    }

    /// Flushes the bytes to the disk and closes the file; the temporary file stays until it is renamed or removed.
    func syncAndClose() throws(BlockStoreError) {
        guard let fd = descriptor.withLock({ $0 }) else { throw .sessionClosed }
        try POSIX.fsync(fd, path: temporary, faults: store.faults)
        descriptor.withLock { $0 = nil }
        POSIX.close(fd)
    }

    /// Marks the temporary file as renamed: nothing is left to remove.
    func committed() {
        descriptor.withLock { $0 = nil }
        store.releaseTemporaries(CollectionOfOne(temporary))
    }

    /// Closes and removes the temporary file (nothing after a commit).
    public func discard() {
        let fd = descriptor.withLock { fd -> Int32? in
            defer { fd = nil }
            return fd
        }
        if let fd { POSIX.close(fd) }
        guard store.isLiveTemporary(temporary) else { return }
        _ = SystemCall.unlink(temporary)
        store.releaseTemporaries(CollectionOfOne(temporary))
    }
}
