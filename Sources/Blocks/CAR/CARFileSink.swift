#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written through a 1 MiB buffer under a temporary name, renamed into place by ``commit()``.
final class CARFileSink {
    let path: String
    private let temporary: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var isOpen = true
    private static let bufferSize = 1 << 20

    init(path: String) throws(BlockStoreError) {
        self.path = path
        self.temporary = "\(path).\(getpid()).tmp"
        guard let fd = try POSIX.open(temporary, O_WRONLY | O_CREAT | O_TRUNC) else {
            throw .fileSystem(operation: "open", path: temporary, errno: ENOENT)
        }
        self.fd = fd
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { abandon() }

    func write(_ bytes: [UInt8]) throws(BlockStoreError) {
        buffer += bytes
        if buffer.count >= Self.bufferSize { try drain() }
    }

    private func drain() throws(BlockStoreError) {
        try POSIX.writeAll(fd, buffer, path: temporary, faults: .none)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, fsyncs, and renames the file into place.
    func commit() throws(BlockStoreError) {
        try drain()
        try POSIX.fsync(fd, path: temporary, faults: .none)
        POSIX.close(fd)
        isOpen = false
        try POSIX.rename(temporary, path)
    }

    /// Closes and removes the temporary file (after a failure).
    func abandon() {
        guard isOpen else { return }
        isOpen = false
        POSIX.close(fd)
        _ = unlink(temporary)
    }
}
