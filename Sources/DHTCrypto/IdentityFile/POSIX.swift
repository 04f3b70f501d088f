#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX calls identity files need; each returns the `errno` of a failure instead of
/// leaving it in a global.
enum POSIX {
    /// The C library's text for `code`, e.g. "Permission denied".
    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    /// Retries `call` while it fails with `EINTR`; returns its result and the `errno` of a failure (0 on success).
    static func retrying<T: BinaryInteger>(_ call: () -> T) -> (result: T, errno: Int32) {
        while true {
            let result = call()
            if result >= 0 { return (result, 0) }
            let code = errno
            if code != EINTR { return (result, code) }
        }
    }

    /// `lstat` of `path`, not following a symbolic link at the end; the `errno` on failure.
    static func linkStatus(_ path: String) -> Result<stat, IOFailure> {
        var info = stat()
        let (result, code) = retrying { lstat(path, &info) }
        return result == 0 ? .success(info) : .failure(IOFailure(operation: "lstat", errno: code))
    }

    /// `fstat` of an open descriptor; the `errno` on failure.
    static func status(_ descriptor: Int32) -> Result<stat, IOFailure> {
        var info = stat()
        let (result, code) = retrying { fstat(descriptor, &info) }
        return result == 0 ? .success(info) : .failure(IOFailure(operation: "fstat", errno: code))
    }

    /// Whether `mode` (from `stat`) describes a regular file.
    static func isRegularFile(_ mode: UInt32) -> Bool {
        mode & UInt32(S_IFMT) == UInt32(S_IFREG)
    }

    /// Writes all of `bytes`, going on after short writes and `EINTR`.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> IOFailure? {
        bytes.withUnsafeBytes { buffer -> IOFailure? in
            var written = 0
            while written < buffer.count {
                guard let base = buffer.baseAddress else { return nil }
                let (count, code) = retrying { write(descriptor, base + written, buffer.count - written) }
                if count < 0 { return IOFailure(operation: "write", errno: code) }
                written += count
            }
            return nil
        }
    }

    /// Reads until end of file or until `limit` bytes are in hand, whichever comes first.
    static func readAll(_ descriptor: Int32, upTo limit: Int) -> Result<[UInt8], IOFailure> {
        var bytes = [UInt8](repeating: 0, count: limit)
        var filled = 0
        let failure = bytes.withUnsafeMutableBytes { buffer -> IOFailure? in
            while filled < limit {
                guard let base = buffer.baseAddress else { return nil }
                let (count, code) = retrying { read(descriptor, base + filled, limit - filled) }
                if count < 0 { return IOFailure(operation: "read", errno: code) }
                if count == 0 { return nil }
                filled += count
            }
            return nil
        }
        if let failure { return .failure(failure) }
        return .success(Array(bytes[0..<filled]))
    }

    /// A failed system call: which one and its `errno`.
    struct IOFailure: Error {
        var operation: String
        var errno: Int32
    }
}
