import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read sequentially in large pieces with `read(2)`: a regular file, or a pipe or device such as
/// `/dev/stdin` (whose size is then unknown).
struct InputFile {
    /// Bytes asked for per read: a multiple of every chunk size up to 1 MiB.
    static let readSize = 4 << 20

    let path: String
    /// The size of a regular file; `nil` for pipes and devices.
    let size: UInt64?
    private let fd: Int32

    /// Whether `path` is a directory (following a symbolic link), for `add`, which needs `-r` for one.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Opens `path`, refusing directories (`add -r` imports those through ``DirectoryTreeImporter``).
    init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError("\(path) is a directory, use the '-r' flag to add directories")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        self.path = path
        self.size = (info.st_mode & S_IFMT) == S_IFREG ? UInt64(info.st_size) : nil
        self.fd = fd
    }

    /// Fills `buffer` as far as the file allows; returns the byte count (0 at the end).
    func read(into buffer: inout [UInt8]) throws -> Int {
        let capacity = buffer.count
        let fd = self.fd
        var failure: Int32 = 0
        let filled = buffer.withUnsafeMutableBytes { raw -> Int in
            var filled = 0
            while filled < capacity {
                let got = systemRead(fd, raw.baseAddress! + filled, capacity - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return filled
                }
                if got == 0 { break }
                filled += got
            }
            return filled
        }
        if failure != 0 { throw CLIError("reading \(path): \(String(cString: strerror(failure)))") }
        return filled
    }

    func close() {
        systemClose(fd)
    }
}

/// `read(2)` and `close(2)` under names that the methods above do not shadow.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func systemClose(_ fd: Int32) {
    _ = close(fd)
}
