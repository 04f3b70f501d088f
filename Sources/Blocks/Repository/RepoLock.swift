#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The single-writer lock of a repository: an exclusive `flock(2)` on `repo.lock`, which holds the writer's PID.
///
/// flock locks belong to the open file, so the kernel releases the lock when the process dies (no stale locks
/// after a crash), and a second writer in the same process is refused just like one in another process. The PID in
/// the file is only for the message; the lock itself is the flock.
final class RepoLock: Sendable {
    private let fd: Int32

    /// Takes the lock or throws ``BlockStoreError/locked(path:holderPID:)`` naming the process that holds it.
    init(path: String, repository: String) throws(BlockStoreError) {
        guard let fd = try POSIX.open(path, O_RDWR | O_CREAT) else {
            throw .fileSystem(operation: "open", path: path, errno: ENOENT)
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            POSIX.close(fd)
            if code == EWOULDBLOCK {
                throw .locked(path: repository, holderPID: Self.holder(path))
            }
            throw POSIX.error("flock", path, code)
        }
        let pid = Array("\(getpid())\n".utf8)
        let written = pid.withUnsafeBytes { buffer in
            ftruncate(fd, 0) == 0 ? pwrite(fd, buffer.baseAddress, buffer.count, 0) : -1
        }
        if written != pid.count {
            let code = errno
            POSIX.close(fd)
            throw POSIX.error("write", path, code)
        }
        self.fd = fd
    }

    /// The PID written in the lock file, if it can be read.
    private static func holder(_ path: String) -> Int32? {
        guard case .bytes(let bytes)? = try? POSIX.readFile(path, limit: 64) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
        return Int32(text)
    }

    deinit {
        // Closing the descriptor releases the flock.
        POSIX.close(fd)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
