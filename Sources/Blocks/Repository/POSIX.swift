#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX calls the on-disk store makes. Every failure becomes a ``BlockStoreError`` that
/// names the operation and the path; `EINTR` is retried.
enum POSIX {
    /// The error for a failed call: ``BlockStoreError/diskFull(path:)`` for ENOSPC and EDQUOT, otherwise
    /// ``BlockStoreError/fileSystem(operation:path:errno:)``.
    static func error(_ operation: String, _ path: String, _ code: Int32) -> BlockStoreError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path) }
        return .fileSystem(operation: operation, path: path, errno: code)
    }

    /// The text of an errno value.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// Opens `path`; `nil` when it does not exist and `missingOK` is set.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644, missingOK: Bool = false)
        throws(BlockStoreError) -> Int32?
    {
        while true {
            let fd = path.withCString { SystemCall.open($0, flags | O_CLOEXEC, mode) }
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            if code == ENOENT && missingOK { return nil }
            throw error("open", path, code)
        }
    }

    static func close(_ fd: Int32) {
        _ = SystemCall.close(fd)
    }

    /// Writes every byte of `bytes` at the file position. `faults` may cut the write short and fail it.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String, faults: IOFaults)
        throws(BlockStoreError)
    {
        var remaining = bytes
        if let code = faults.writeError?(path) {
            // A failing disk usually takes part of the data first: leave half of it behind, then fail.
            let half = remaining.count / 2
            if half > 0, let base = remaining.baseAddress { _ = SystemCall.write(fd, base, half) }
            throw error("write", path, code)
        }
        while !remaining.isEmpty {
            guard let base = remaining.baseAddress else { return }
            let written = SystemCall.write(fd, base, remaining.count)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw error("write", path, code)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }

    /// Writes every byte of `bytes` at `offset` of the file (the file position is not used, so threads can write
    /// different parts of one file at once). `faults` may cut the write short and fail it.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, path: String, faults: IOFaults)
        throws(BlockStoreError)
    {
        var remaining = bytes
        var position = off_t(offset)
        if let code = faults.writeError?(path) {
            let half = remaining.count / 2
            if half > 0, let base = remaining.baseAddress { _ = SystemCall.pwrite(fd, base, half, position) }
            throw error("write", path, code)
        }
        while !remaining.isEmpty {
            guard let base = remaining.baseAddress else { return }
            let written = SystemCall.pwrite(fd, base, remaining.count, position)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw error("write", path, code)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
            position += off_t(written)
        }
    }

    /// Writes every byte of `bytes` (`Array.withUnsafeBytes` only rethrows untyped errors, hence the relay).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, faults: IOFaults) throws(BlockStoreError) {
        var failure: BlockStoreError?
        bytes.withUnsafeBytes { buffer in
            do throws(BlockStoreError) { try writeAll(fd, buffer, path: path, faults: faults) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Reads a whole file of at most `limit` bytes; `nil` if it does not exist.
    ///
    /// - Returns: the bytes, or `.tooLarge(size)` without reading them when the file is larger than `limit`.
    static func readFile(_ path: String, limit: Int) throws(BlockStoreError) -> ReadOutcome {
        guard let fd = try open(path, O_RDONLY, missingOK: true) else { return .missing }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error("stat", path, errno) }
        let size = Int(info.st_size)
        guard size <= limit else { return .tooLarge(size) }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                guard let base = buffer.baseAddress else { return }
                let got = SystemCall.read(fd, base + count, size - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { return }  // The file shrank under us: return what is there; the hash decides.
                count += got
            }
        }
        if failure != 0 { throw error("read", path, failure) }
        return .bytes(bytes)
    }

    /// What ``readFile(_:limit:)`` found.
    enum ReadOutcome {
        case missing
        case tooLarge(Int)
        case bytes([UInt8])
    }

    /// Asks the kernel to start writing a file's dirty pages now, without waiting (Linux `sync_file_range`), so that
    /// the fsync of a whole batch later finds most of the data already on its way. Elsewhere it does nothing.
    static func startWriteback(_ fd: Int32) {
        _ = syncFileRange?(fd, 0, 0, syncFileRangeWrite)
    }

    /// Whether ``syncFileSystem(containing:paths:faults:)`` can flush a whole filesystem in one call (Linux
    /// `syncfs`).
    static var canSyncFileSystem: Bool { syncFS != nil }

    /// Flushes every dirty file and directory entry of the filesystem that holds `directory` in one call (Linux
    /// `syncfs(2)`): one journal commit where an fsync per file would make hundreds. Injected fsync failures are
    /// still consulted for each of `paths`, the files and folders the caller needs durable.
    static func syncFileSystem(containing directory: String, paths: [String], faults: IOFaults) throws(BlockStoreError) {
        for path in paths {
            if let code = faults.fsyncError?(path) { throw error("fsync", path, code) }
        }
        guard let syncFS else {
            for path in paths { try fsync(path: path, faults: .none) }
            return
        }
        guard let fd = try open(directory, O_RDONLY) else { throw error("open", directory, ENOENT) }
        defer { close(fd) }
        while syncFS(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw error("syncfs", directory, code)
        }
    }

    /// `syncfs(2)`, looked up at run time for the same reason as `sync_file_range`. `nil` where there is none.
    private static let syncFS: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// `sync_file_range(2)`, looked up at run time: glibc declares it only under `_GNU_SOURCE`, which the Glibc
    /// module does not set. `nil` where there is no such function.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// `SYNC_FILE_RANGE_WRITE` from `<fcntl.h>`.
    private static let syncFileRangeWrite: UInt32 = 2

    /// Flushes a file's data and metadata to the disk.
    static func fsync(_ fd: Int32, path: String, faults: IOFaults) throws(BlockStoreError) {
        if let code = faults.fsyncError?(path) { throw error("fsync", path, code) }
        while SystemCall.fsync(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw error("fsync", path, code)
        }
    }

    /// Opens `path` (a file or a directory) read-only and fsyncs it.
    static func fsync(path: String, faults: IOFaults) throws(BlockStoreError) {
        guard let fd = try open(path, O_RDONLY) else { return }
        defer { close(fd) }
        try fsync(fd, path: path, faults: faults)
    }

    static func rename(_ from: String, _ to: String) throws(BlockStoreError) {
        let result = from.withCString { source in to.withCString { SystemCall.rename(source, $0) } }
        guard result == 0 else { throw error("rename", from, errno) }
    }

    /// Removes a file; `false` if it was not there.
    @discardableResult
    static func unlink(_ path: String) throws(BlockStoreError) -> Bool {
        guard SystemCall.unlink(path) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw error("unlink", path, code)
        }
        return true
    }

    /// Creates a directory; `false` if it already exists.
    @discardableResult
    static func makeDirectory(_ path: String) throws(BlockStoreError) -> Bool {
        guard mkdir(path, 0o755) == 0 else {
            let code = errno
            if code == EEXIST { return false }
            throw error("mkdir", path, code)
        }
        return true
    }

    /// Asks the kernel to read the file at `path` into the page cache in the background (`POSIX_FADV_WILLNEED`,
    /// where there is one) and returns without waiting for it. A missing or unreadable file is ignored.
    static func adviseWillRead(_ path: String) {
        #if os(Linux)
        guard let fd = try? open(path, O_RDONLY, missingOK: true) else { return }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_WILLNEED))
        close(fd)
        #endif
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The size of a file, or `nil` if it does not exist.
    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// The size and modification time (nanoseconds since the epoch) of the file `path` (links followed), or `nil`.
    static func stamp(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStamp(info)
    }

    /// The size and modification time of the open file `fd`, or `nil`.
    static func stamp(descriptor fd: Int32) -> FileStamp? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return FileStamp(info)
    }

    /// The names in a directory, without `.` and `..`; `nil` if it does not exist or is not a directory.
    static func listDirectory(_ path: String) throws(BlockStoreError) -> [String]? {
        guard let directory = opendir(path) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw error("opendir", path, code)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: pointer.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes `bytes` to `path` durably and atomically: a temporary file in the same folder, fsync, rename, fsync
    /// of the folder. Readers see the old file or the new one, never a mix.
    static func writeFileAtomically(_ bytes: [UInt8], to path: String, directory: String, faults: IOFaults)
        throws(BlockStoreError)
    {
        let temporary = "\(path).\(getpid()).tmp"
        guard let fd = try open(temporary, O_WRONLY | O_CREAT | O_TRUNC) else { return }
        do throws(BlockStoreError) {
            try writeAll(fd, bytes, path: temporary, faults: faults)
            try fsync(fd, path: temporary, faults: faults)
        } catch {
            close(fd)
            _ = SystemCall.unlink(temporary)
            throw error
        }
        close(fd)
        do throws(BlockStoreError) { try rename(temporary, path) } catch {
            _ = SystemCall.unlink(temporary)
            throw error
        }
        try fsync(path: directory, faults: faults)
    }
}
