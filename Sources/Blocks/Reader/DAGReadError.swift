/// Why a file could not be read from its DAG. Every case names the CID of the block at fault.
public enum DAGReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The store has no block for the CID.
    case blockNotFound(CID)
    /// The block's bytes do not hash to its CID: corrupt on disk or forged. Nothing from it was returned.
    case hashMismatch(CID)
    /// The block is larger than ``Block/maxByteCount``; it was not hashed or used.
    case blockTooLarge(CID, byteCount: Int)
    /// The store failed to read the block.
    case store(CID, BlockStoreError)
    /// A dag-pb block does not decode.
    case invalidDagPB(CID, DagPBError)
    /// A dag-pb node has no `Data`, so it is not UnixFS.
    case missingUnixFSData(CID)
    /// The UnixFS `Data` does not decode.
    case invalidUnixFS(CID, UnixFSError)
    /// The node is UnixFS but not a file (a directory, symlink, HAMT shard...).
    case notAFile(CID, UnixFSData.DataType)
    /// The CID's codec cannot hold file data.
    case unsupportedCodec(CID)
    /// A node's `blocksizes` count differs from its link count.
    case blocksizesMismatch(CID, links: Int, blocksizes: Int)
    /// A node's `filesize` differs from its own data plus its `blocksizes` (`computed` is nil on overflow).
    case filesizeMismatch(CID, declared: UInt64?, computed: UInt64?)
    /// A child holds a different number of bytes than its parent's `blocksizes` entry says.
    case sizeMismatch(CID, expected: UInt64, actual: UInt64)
    /// The DAG is deeper than ``FileDAGWalker/maxDepth``.
    case tooDeep(CID)
    /// The requested range ends past the end of the file.
    case rangeOutOfBounds(Range<UInt64>, fileSize: UInt64)
    /// A block was delivered that the walk did not ask for (it is waiting for `expected`, or for nothing).
    case unexpectedBlock(CID, expected: CID?)
    /// A directory entry's name is missing or could step out of the folder it is written to (empty, `.`, `..`, or
    /// holding `/` or NUL).
    case unsafeEntryName(CID, name: String)
    /// A directory has two entries with the same name.
    case duplicateEntryName(CID, name: String)
    /// A symbolic link's target is not valid UTF-8.
    case invalidSymlinkTarget(CID)

    /// A one-line explanation for logs and the CLI; a name from the DAG is quoted and escaped (``UntrustedText``).
    public var description: String {
        switch self {
        case .blockNotFound(let cid): "block \(cid) not found"
        case .hashMismatch(let cid): "block \(cid) is corrupt: its bytes do not match its hash"
        case .blockTooLarge(let cid, let count):
            "block \(cid) is \(count) bytes, over the \(Block.maxByteCount)-byte block limit"
        case .store(let cid, let error): "reading block \(cid): \(error)"
        case .invalidDagPB(let cid, let error): "block \(cid): \(error)"
        case .missingUnixFSData(let cid): "block \(cid) is dag-pb without UnixFS data"
        case .invalidUnixFS(let cid, let error): "block \(cid): \(error)"
        case .notAFile(let cid, let type):
            switch type {
            case .directory, .hamtShard: "\(cid) is a directory, not a file"
            default: "block \(cid) is a UnixFS \(type), not a file"
            }
        case .unsupportedCodec(let cid): "block \(cid) has a codec that cannot hold file data"
        case .blocksizesMismatch(let cid, let links, let blocksizes):
            "block \(cid) has \(links) links but \(blocksizes) blocksizes"
        case .filesizeMismatch(let cid, let declared, let computed):
            "block \(cid) declares filesize \(declared.map(String.init) ?? "none") but holds "
                + (computed.map { "\($0) bytes" } ?? "more than 2^64 bytes")
        case .sizeMismatch(let cid, let expected, let actual):
            "block \(cid) holds \(actual) file bytes where its parent says \(expected)"
        case .tooDeep(let cid): "block \(cid) is deeper than \(FileDAGWalker.maxDepth) levels"
        case .unexpectedBlock(let cid, let expected):
            "block \(cid) was delivered while the walk waits for " + (expected.map { "\($0)" } ?? "no block")
        case .unsafeEntryName(let cid, let name):
            "directory \(cid) has an entry named \(Self.quoted(name)), which is unsafe"
        case .duplicateEntryName(let cid, let name):
            "directory \(cid) has two entries named \(Self.quoted(name))"
        case .invalidSymlinkTarget(let cid): "symbolic link \(cid) has a target that is not UTF-8"
        case .rangeOutOfBounds(let range, let fileSize):
            "range \(range.lowerBound)-\(range.upperBound) is outside the file of \(fileSize) bytes"
        }
    }

    private static func quoted(_ name: String) -> String { UntrustedText.quoted(name, limit: UntrustedText.logLimit) }
}
