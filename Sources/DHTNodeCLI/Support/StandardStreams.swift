#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes of large pieces straight to a file descriptor (stdout for `cat` and `block get`, a file
/// for `get`): each piece is one `write(2)` loop, with no copy through stdio.
enum FileOutput {
    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, name: String) throws {
        try bytes.withUnsafeBytes { raw in try writeAll(fd, raw, name: name) }
    }

    /// Writes all of `raw` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, name: String) throws {
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EPIPE { endQuietlyOnBrokenPipe() }
                throw CLIError("writing \(name): \(String(cString: strerror(code)))")
            }
            offset += written
        }
    }

    /// The reader went away (`dhtnode cat CID | head`): end as a program killed by `SIGPIPE` does, which is what a
    /// shell expects of a writer to a closed pipe, with no message. The runtime ignores `SIGPIPE` (so a write
    /// returns `EPIPE` instead of killing the process): restore its default action and raise it.
    static func endQuietlyOnBrokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        exit(128 + SIGPIPE)
    }

    /// Writes `text` to stderr as is.
    static func standardError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Whether stderr is a terminal (progress bars are drawn only then).
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
}
