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

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .wouldBeSharded(let directory, let count, let size, let threshold, let rule):
            "directory \(directory) (\(count) entries) would be sharded by kubo: its estimated size \(size) bytes "
                + "is over \(threshold) (\(rule.estimate == .blockSize ? "block size" : "link names + CIDs")); "
                + "HAMT-sharded directories are not supported yet"
        case .nameNotUTF8(let directory, let bytes):
            "a name in \(directory) is not valid UTF-8 (\(bytes.count) bytes); UnixFS names must be UTF-8"
        case .invalidEntryName(let directory, let name): "'\(name)' in \(directory) cannot be a directory entry"
        case .duplicateEntryName(let directory, let name): "\(directory) has two entries named '\(name)'"
        case .unsupportedFileType(let path):
            "\(path) is not a regular file, directory or symbolic link; UnixFS cannot hold it"
        case .invalidSymlinkTarget(let path): "the target of symbolic link \(path) is not valid UTF-8 or too long"
        case .fileSystem(let operation, let path, let code):
            "\(operation) \(path): \(POSIX.describe(code))"
        case .blockSink(let error): "\(error)"
        }
    }
}
