#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the data directory needs, with errors that name the file.
enum POSIXFile {
    /// The system's message for `errno`.
    static func message(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }

    /// Whether something exists at `path` (without following a final symbolic link).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Reads a whole regular file of at most `limit` bytes.
    static func readAll(_ path: String, limit: Int) throws(PersistenceError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw PersistenceError(.missing, path: path, reason: message(code)) }
            throw PersistenceError(.io, path: path, reason: message(code))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PersistenceError(.io, path: path, reason: message())
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit {
                throw PersistenceError(.malformed, path: path, reason: "larger than \(limit) bytes")
            }
        }
    }

    /// Writes `bytes` to `path` so that a reader sees either the old file or the whole new one, even after a
    /// crash: a temporary file in the same folder (created with `mode`), `fsync`, `rename` over `path`, then an
    /// `fsync` of the folder so that the rename itself is durable.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws(PersistenceError) {
        let folder = parentFolder(of: path)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw PersistenceError(.io, path: temporary, reason: message()) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        // The umask may have narrowed `mode`; set it exactly (it only ever narrows, but be explicit).
        guard fchmod(fd, mode) == 0 else { throw PersistenceError(.io, path: temporary, reason: message()) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw PersistenceError(.io, path: temporary, reason: message())
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw PersistenceError(.io, path: temporary, reason: message()) }
        closed = true
        guard close(fd) == 0 else { throw PersistenceError(.io, path: temporary, reason: message()) }
        guard rename(temporary, path) == 0 else { throw PersistenceError(.io, path: path, reason: message()) }
        renamed = true
        syncFolder(folder)
    }

    /// Renames `path` to `newPath` (same file system).
    static func move(_ path: String, to newPath: String) throws(PersistenceError) {
        guard rename(path, newPath) == 0 else { throw PersistenceError(.io, path: path, reason: message()) }
        syncFolder(parentFolder(of: path))
    }

    /// Removes the file at `path`; a missing file is not an error.
    static func remove(_ path: String) throws(PersistenceError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw PersistenceError(.io, path: path, reason: message())
        }
    }

    /// Creates `path` and its missing parents; the last folder gets `mode`. An existing folder is left as is.
    static func createFolder(_ path: String, mode: mode_t) throws(PersistenceError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw PersistenceError(.io, path: path, reason: "exists and is not a folder")
            }
            return
        }
        let parent = parentFolder(of: path)
        if parent != path, parent != "/", parent != "." { try createFolder(parent, mode: 0o755) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            throw PersistenceError(.io, path: path, reason: message())
        }
    }

    /// The folder that holds `path` (`.` for a bare name).
    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// `fsync` of a folder, best effort (some file systems refuse it; the rename has happened either way).
    private static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
