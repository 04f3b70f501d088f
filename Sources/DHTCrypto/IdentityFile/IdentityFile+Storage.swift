import CSodium

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension IdentityFile {
    /// Writes `identity` to a new file at `path` with mode `0600`.
    ///
    /// The text goes to a temporary file in the same folder (created with `O_CREAT | O_EXCL`, mode `0600`, then
    /// `fsync`ed), which is then moved into place, so `path` never holds a half-written key. Without `overwrite`, the
    /// move is a hard link that fails if `path` exists (falling back to a check and `rename` on file systems without
    /// hard links); with it, `rename` replaces the old file atomically. The folder is `fsync`ed at the end.
    ///
    /// - Throws: ``IdentityFileError`` with code ``IdentityFileError/Code/fileExists`` when `path` exists and
    ///   `overwrite` is `false`, or ``IdentityFileError/Code/ioError`` naming the failed call and its `errno`.
    public static func save(_ identity: NodeIdentity, to path: String, overwrite: Bool = false)
        throws(IdentityFileError)
    {
        if !overwrite, case .success = POSIX.linkStatus(path) {
            throw IdentityFileError(.fileExists, path: path)
        }
        var text = encode(identity)
        defer { wipe(&text) }

        let temporary = try createTemporaryFile(next: path, holding: text)
        var moved = false
        defer { if !moved { _ = unlink(temporary) } }

        if overwrite {
            let (result, code) = POSIX.retrying { rename(temporary, path) }
            guard result == 0 else { throw IdentityFileError(.ioError(operation: "rename", errno: code), path: path) }
            moved = true
        } else {
            let (result, code) = POSIX.retrying { link(temporary, path) }
            if result == 0 {
                _ = unlink(temporary)
                moved = true
            } else if code == EEXIST {
                throw IdentityFileError(.fileExists, path: path)
            } else if code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK || code == ENOSYS {
                // No hard links here (FAT, some FUSE or network file systems): check, then rename.
                if case .success = POSIX.linkStatus(path) { throw IdentityFileError(.fileExists, path: path) }
                let (renamed, renameCode) = POSIX.retrying { rename(temporary, path) }
                guard renamed == 0 else {
                    throw IdentityFileError(.ioError(operation: "rename", errno: renameCode), path: path)
                }
                moved = true
            } else {
                throw IdentityFileError(.ioError(operation: "link", errno: code), path: path)
            }
        }
        syncFolder(of: path)
    }

    /// Reads the identity in the file at `path`.
    ///
    /// The file is opened and checked with `fstat` before anything is read: it must be a regular file that group and
    /// others can neither read nor write (`mode & 0o077 == 0`), and at most ``maximumByteCount`` bytes long. Its
    /// text is then checked by ``parse(_:)``.
    ///
    /// - Throws: ``IdentityFileError`` naming `path`: ``IdentityFileError/Code/fileMissing``,
    ///   ``IdentityFileError/Code/notRegularFile``, ``IdentityFileError/Code/permissionsTooOpen`` (with the mode and
    ///   the `chmod 600` that fixes it), ``IdentityFileError/Code/fileTooLarge``, ``IdentityFileError/Code/ioError``,
    ///   or any error of ``parse(_:)``.
    public static func load(from path: String) throws(IdentityFileError) -> NodeIdentity {
        // O_NONBLOCK: opening a FIFO must not hang; it is refused as not a regular file below.
        let (descriptor, openCode) = POSIX.retrying { open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) }
        guard descriptor >= 0 else {
            if openCode == ENOENT { throw IdentityFileError(.fileMissing, path: path) }
            throw IdentityFileError(.ioError(operation: "open", errno: openCode), path: path)
        }
        defer { _ = close(descriptor) }

        let info: stat
        switch POSIX.status(descriptor) {
        case .success(let value): info = value
        case .failure(let failure):
            throw IdentityFileError(.ioError(operation: failure.operation, errno: failure.errno), path: path)
        }
        let mode = UInt32(info.st_mode)
        guard POSIX.isRegularFile(mode) else {
            throw IdentityFileError(.notRegularFile(mode: mode & 0o7777), path: path)
        }
        guard mode & 0o077 == 0 else {
            throw IdentityFileError(.permissionsTooOpen(mode: mode & 0o7777), path: path)
        }
        guard Int(info.st_size) <= maximumByteCount else {
            throw IdentityFileError(.fileTooLarge(byteCount: Int(info.st_size)), path: path)
        }

        // One byte more than allowed, in case the file grew since fstat.
        var bytes: [UInt8]
        switch POSIX.readAll(descriptor, upTo: maximumByteCount + 1) {
        case .success(let value): bytes = value
        case .failure(let failure):
            throw IdentityFileError(.ioError(operation: failure.operation, errno: failure.errno), path: path)
        }
        defer { wipe(&bytes) }
        do {
            return try parse(bytes)
        } catch {
            throw error.at(path)
        }
    }

    /// Creates `PATH.tmp-RANDOM` next to `path` with mode `0600`, writes `text`, `fsync`s and closes it; returns its
    /// name.
    private static func createTemporaryFile(next path: String, holding text: [UInt8]) throws(IdentityFileError)
        -> String
    {
        var suffix = [UInt8](repeating: 0, count: 8)
        Sodium.ensureInitialized()
        suffix.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            randombytes_buf(base, buffer.count)
        }
        let temporary = "\(path).tmp-\(Hex.encode(suffix))"

        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW
        let (descriptor, openCode) = POSIX.retrying { open(temporary, flags, mode_t(0o600)) }
        guard descriptor >= 0 else {
            let operation = "creating a temporary file next to it"
            throw IdentityFileError(.ioError(operation: operation, errno: openCode), path: path)
        }
        var closed = false
        defer { if !closed { _ = close(descriptor) } }

        func fail(_ operation: String, _ code: Int32) -> IdentityFileError {
            _ = close(descriptor)
            closed = true
            _ = unlink(temporary)
            let operation = "\(operation) of temporary file \(temporary)"
            return IdentityFileError(.ioError(operation: operation, errno: code), path: path)
        }
        // The umask may have cleared bits of 0600; set them exactly.
        let (changed, chmodCode) = POSIX.retrying { fchmod(descriptor, mode_t(0o600)) }
        guard changed == 0 else { throw fail("fchmod", chmodCode) }
        if let failure = POSIX.writeAll(descriptor, text) { throw fail(failure.operation, failure.errno) }
        let (synced, syncCode) = POSIX.retrying { fsync(descriptor) }
        guard synced == 0 else { throw fail("fsync", syncCode) }
        closed = true
        guard close(descriptor) == 0 else {
            let code = errno
            _ = unlink(temporary)
            let operation = "close of temporary file \(temporary)"
            throw IdentityFileError(.ioError(operation: operation, errno: code), path: path)
        }
        return temporary
    }

    /// `fsync`s the folder holding `path`, so the new name survives a crash; failures are ignored (some file
    /// systems cannot sync a folder, and the file itself is already on disk).
    private static func syncFolder(of path: String) {
        let folder: String
        if let slash = path.lastIndex(of: "/") {
            folder = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            folder = "."
        }
        let (descriptor, _) = POSIX.retrying { open(folder, O_RDONLY | O_CLOEXEC | O_DIRECTORY) }
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }
}
