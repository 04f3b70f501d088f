/// Why a directory tree could not be imported. Every case names the path at fault.
public enum DirectoryImportError: Error, Sendable, CustomStringConvertible {
    /// kubo would store this directory as a HAMT shard (its estimated node size passes the profile's
    /// ``DirectoryShardingRule``), and swift-dht does not build HAMT shards yet: any CID given here would differ
    /// from kubo's.
    case wouldBeSharded(
        directory: String, entryCount: Int, estimatedSize: Int, threshold: Int, rule: DirectoryShardingRule)
    /// A name in a directory is not valid UTF-8; dag-pb link names are protobuf strings.
    case nameNotUTF8(directory: String, bytes: [UInt8])
    /// A name cannot be a directory entry: empty, `.` or `..`, or holding `/` or NUL.
    case invalidEntryName(directory: String, name: String)
    /// Two entries of one directory have the same name (byte for byte).
    case duplicateEntryName(directory: String, name: String)
    /// An entry that is neither a regular file, a directory nor a symbolic link (a FIFO, socket or device), which
    /// UnixFS cannot hold.
    case unsupportedFileType(path: String)
    /// A symbolic link's target is not valid UTF-8 or is longer than a block holds.
    case invalidSymlinkTarget(path: String)
    /// A file system call failed with `errno`.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// The block sink (a store, a writer thread) failed; nothing after this block was emitted.
    case blockSink(any Error)

    /// A one-line explanation for logs and the CLI. Paths and names come from a tree on disk that anyone may have
    /// made (an unpacked archive), so they are escaped (``UntrustedText``).
    public var description: String {
        switch self {
        case .wouldBeSharded(let directory, let count, let size, let threshold, let rule):
            "directory \(Self.shown(directory)) (\(count) entries) would be sharded by kubo: its estimated size "
                + "\(size) bytes is over \(threshold) "
                + "(\(rule.estimate == .blockSize ? "block size" : "link names + CIDs")); "
                + "HAMT-sharded directories are not supported yet"
        case .nameNotUTF8(let directory, let bytes):
            "the name \(UntrustedText.escaped(utf8: bytes, limit: UntrustedText.logLimit)) in \(Self.shown(directory)) "
                + "is not valid UTF-8 (\(bytes.count) bytes); UnixFS names must be UTF-8"
        case .invalidEntryName(let directory, let name):
            "\(Self.quoted(name)) in \(Self.shown(directory)) cannot be a directory entry"
        case .duplicateEntryName(let directory, let name):
            "\(Self.shown(directory)) has two entries named \(Self.quoted(name))"
        case .unsupportedFileType(let path):
            "\(Self.shown(path)) is not a regular file, directory or symbolic link; UnixFS cannot hold it"
        case .invalidSymlinkTarget(let path):
            "the target of symbolic link \(Self.shown(path)) is not valid UTF-8 or too long"
        case .fileSystem(let operation, let path, let code):
            "\(operation) \(Self.shown(path)): \(POSIX.describe(code))"
        case .blockSink(let error): "\(error)"
        }
    }

    private static func shown(_ path: String) -> String {
        UntrustedText.escaped(path, limit: 4 * UntrustedText.logLimit)
    }

    private static func quoted(_ name: String) -> String { UntrustedText.quoted(name, limit: UntrustedText.logLimit) }
}
