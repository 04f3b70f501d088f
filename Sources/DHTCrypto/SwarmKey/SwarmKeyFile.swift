#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The swarm key file (`dhtnode swarm-key generate > swarm.key`), in the text format libp2p uses for private
/// networks, so the same key file serves both:
///
/// ```
/// /key/swarm/psk/1.0.0/
/// /base16/
/// <64 lowercase hex digits>
/// ```
///
/// Lines end with `\n` (a `\r` before it is accepted); nothing else may follow the key line. The file must not be
/// readable or writable by anyone but its owner (mode `0600` or stricter).
public enum SwarmKeyFile {
    static let header = "/key/swarm/psk/1.0.0/"
    static let encoding = "/base16/"

    /// The file's text for `key`.
    public static func text(for key: SwarmKey) -> String {
        "\(header)\n\(encoding)\n\(Hex.encode(key.bytes))\n"
    }

    /// Parses the text of a key file.
    public static func parse(_ text: String) throws(SwarmKeyFileError) -> SwarmKey {
        // "\r\n" is one Character in Swift: split on both line ends.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        guard lines.count == 3 else { throw .malformed("expected 3 lines, found \(lines.count)") }
        guard lines[0] == Substring(header) else { throw .malformed("line 1 must be \(header)") }
        guard lines[1] == Substring(encoding) else { throw .malformed("line 2 must be \(encoding) (the only encoding read)") }
        guard let bytes = try? Hex.decode(String(lines[2])), bytes.count == SwarmKey.byteCount else {
            throw .malformed("line 3 must be \(2 * SwarmKey.byteCount) hex digits")
        }
        do { return try SwarmKey(bytes: bytes) } catch { throw .malformed(error.description) }
    }

    /// Reads and parses the key file at `path`, after checking that only its owner can read or write it.
    public static func load(path: String) throws(SwarmKeyFileError) -> SwarmKey {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        guard status.st_mode & 0o077 == 0 else {
            throw .tooOpen(path, mode: UInt32(status.st_mode & 0o777))
        }
        guard let file = fopen(path, "r") else { throw .unreadable(path, String(cString: strerror(errno))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
            guard bytes.count <= 4096 else { throw .malformed("the file is larger than a key file can be") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("not UTF-8 text") }
        do { return try parse(text) } catch { throw error.at(path) }
    }
}

/// Why a swarm key file could not be used.
public enum SwarmKeyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file cannot be read; the system's reason is attached.
    case unreadable(String, String)
    /// Group or others may read or write it: anyone who reads it joins the swarm.
    case tooOpen(String, mode: UInt32)
    /// The text is not a key file; what is wrong is attached.
    case malformed(String)
    /// As `malformed`, in the named file.
    case malformedFile(String, String)

    func at(_ path: String) -> SwarmKeyFileError {
        if case .malformed(let why) = self { return .malformedFile(path, why) }
        return self
    }

    /// A sentence naming the file and what is wrong.
    public var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read the swarm key file \(path): \(why)"
        case .tooOpen(let path, let mode):
            "the swarm key file \(path) is readable by others (mode \(String(mode, radix: 8))): run chmod 600 \(path)"
        case .malformed(let why): "not a swarm key file: \(why)"
        case .malformedFile(let path, let why): "\(path) is not a swarm key file: \(why)"
        }
    }
}
