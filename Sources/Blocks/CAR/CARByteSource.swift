#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``CARReader`` gets its bytes: memory (``CARMemorySource``) or a file (``CARFileSource``).
public protocol CARByteSource {
    /// Reads `count` bytes, or fewer only when the stream ends.
    mutating func read(_ count: Int) throws(CARError) -> [UInt8]
    /// Reads one byte; `nil` at the end of the stream.
    mutating func readByte() throws(CARError) -> UInt8?
}

/// A CAR in memory.
public struct CARMemorySource: CARByteSource, Sendable {
    private let bytes: [UInt8]
    private var position = 0

    /// Reads from `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Up to `count` of the remaining bytes.
    public mutating func read(_ count: Int) -> [UInt8] {
        let end = position + min(count, bytes.count - position)
        defer { position = end }
        return Array(bytes[position..<end])
    }

    /// The next byte, or `nil` at the end.
    public mutating func readByte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }
}

/// A CAR file, read through a 1 MiB buffer. The file is closed when the source is released.
public final class CARFileSource: CARByteSource {
    /// The file's path.
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    private static let bufferSize = 1 << 20

    /// Opens `path` for reading.
    ///
    /// - Throws: ``CARError/file(_:)`` when it cannot be opened.
    public init(path: String) throws(CARError) {
        let opened: Int32?
        do { opened = try POSIX.open(path, O_RDONLY) } catch { throw .file(error) }
        guard let fd = opened else { throw .file(.fileSystem(operation: "open", path: path, errno: ENOENT)) }
        self.fd = fd
        self.path = path
    }

    deinit {
        POSIX.close(fd)
    }

    /// Refills the buffer; returns whether any byte came.
    private func fill() throws(CARError) -> Bool {
        if buffer.count != Self.bufferSize { buffer = [UInt8](repeating: 0, count: Self.bufferSize) }
        while true {
            let got = buffer.withUnsafeMutableBytes { SystemCall.read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .file(POSIX.error("read", path, code))
            }
            end = got
            position = 0
            return got > 0
        }
    }

    private var end = 0

    /// `count` bytes, or fewer at the end of the file.
    public func read(_ count: Int) throws(CARError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(count)
        while output.count < count {
            if position == end { guard try fill() else { break } }
            let take = min(count - output.count, end - position)
            output += buffer[position..<(position + take)]
            position += take
        }
        return output
    }

    /// The next byte, or `nil` at the end of the file.
    public func readByte() throws(CARError) -> UInt8? {
        if position == end { guard try fill() else { return nil } }
        defer { position += 1 }
        return buffer[position]
    }
}
