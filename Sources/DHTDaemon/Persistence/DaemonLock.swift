#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<data>/daemon.lock`, held while a daemon runs, so that two daemons never share a data
/// directory (they would overwrite each other's state, token and `api.json`). The kernel releases it when the
/// process ends, however it ends.
public final class DaemonLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock, or throws at once when another process holds it.
    ///
    /// - Throws: ``PersistenceError`` with code ``PersistenceError/Code/io``; its reason says that another daemon
    ///   holds the lock.
    public init(path: String) throws(PersistenceError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PersistenceError(.io, path: path, reason: POSIXFile.message()) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw PersistenceError(.io, path: path, reason: "another dhtnode daemon uses this data directory")
            }
            throw PersistenceError(.io, path: path, reason: POSIXFile.message(code))
        }
        self.descriptor = fd
        self.path = path
    }

    deinit {
        close(descriptor)
    }
}
