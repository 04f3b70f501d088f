import Blocks
import Foundation
import Synchronization

/// A file the daemon writes for a client on the same machine (`POST /v1/get/{cid}`, what `dhtnode get -o` asks
/// for): verified bytes appended in order to a temporary file next to the target, synced and renamed to the target
/// once the whole file arrived, removed when anything fails. The daemon writes it with its own user's rights.
final class OutputFile: Sendable {
    /// Why the file could not be written: one line naming the file.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The target.
    let path: String
    /// The temporary file the bytes go to until they are complete.
    let partial: String
    private let descriptor: Mutex<Int32?>

    /// Creates (or truncates) `partial`.
    init(path: String, partial: String) throws(Failure) {
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure("cannot create", partial) }
        self.path = path
        self.partial = partial
        self.descriptor = Mutex(fd)
    }

    deinit { discard() }

    /// Appends `pieces` in order, and asks the kernel to start writing them to the disk.
    func append(_ pieces: [ArraySlice<UInt8>]) throws(Failure) {
        try descriptor.withLock { (fd) throws(Failure) in
            guard let fd else { throw Failure(description: "\(partial) is closed") }
            for piece in pieces {
                let complete = piece.withUnsafeBytes { buffer -> Bool in
                    var done = 0
                    while done < buffer.count {
                        let count = write(fd, buffer.baseAddress! + done, buffer.count - done)
                        if count < 0 && errno == EINTR { continue }
                        guard count > 0 else { return false }
                        done += count
                    }
                    return true
                }
                guard complete else { throw Self.failure("cannot write", partial) }
            }
            // The disk starts on these bytes now, while the fetch goes on, instead of all of them at the fsync.
            DiskWriteback.start(descriptor: fd)
        }
    }

    /// Makes the bytes durable and renames the temporary file to the target.
    func finish() throws(Failure) {
        try descriptor.withLock { (fd) throws(Failure) in
            guard let open = fd else { throw Failure(description: "\(partial) is closed") }
            guard fsync(open) == 0 else { throw Self.failure("cannot sync", partial) }
            close(open)
            fd = nil
            guard rename(partial, path) == 0 else { throw Self.failure("cannot rename \(partial) to", path) }
        }
    }

    /// Closes and removes the temporary file, unless ``finish()`` renamed it.
    func discard() {
        descriptor.withLock { fd in
            guard let open = fd else { return }
            close(open)
            unlink(partial)
            fd = nil
        }
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
