/// Storage of blocks, keyed by the multihash of their bytes.
///
/// The core is synchronous: an in-memory or on-disk store answers without suspending, and synchronous file I/O is
/// what a disk store does anyway (run it off the cooperative pool in async code). A network fetch is a different
/// thing, a block *source* that suspends; it will sit in front of a store behind an async facade and put what it
/// verifies into it.
///
/// Rules every store follows:
/// - `put` only takes a ``Block``, whose bytes are verified against its CID by construction; raw bytes go through
///   ``put(_:as:)``, which verifies them and throws ``BlockStoreError/invalidBlock(_:)`` on a mismatch. So no store
///   ever holds a block under a CID its bytes do not hash to because of a caller.
/// - Blocks are keyed by multihash: a CIDv0 and a CIDv1 of the same bytes name the same stored block.
/// - `get` returns bytes as stored. A disk can still corrupt them, so readers verify what they get (``DAGReader``
///   does; ``getVerified(_:)`` is the checked accessor).
/// - A missing block is an expected outcome (`nil`, `false`), not an error.
public protocol BlockStore: Sendable {
    /// The bytes stored under `cid`'s multihash, or `nil` if there are none.
    func get(_ cid: CID) throws(BlockStoreError) -> [UInt8]?

    /// Whether a block is stored under `cid`'s multihash.
    func has(_ cid: CID) throws(BlockStoreError) -> Bool

    /// The block under `cid`, its bytes checked against `cid`: `nil` if it is missing.
    ///
    /// A default implementation hashes what ``get(_:)`` returns; a store that already checks what it reads (like
    /// ``FileBlockStore``) implements it without hashing a second time.
    ///
    /// - Throws: ``BlockStoreError/invalidBlock(_:)`` (or a store's own corruption error) if the bytes do not match.
    func getVerified(_ cid: CID) throws(BlockStoreError) -> Block?

    /// Stores a verified block; storing a block that is already there does nothing.
    func put(_ block: Block) throws(BlockStoreError)

    /// Removes the block under `cid`'s multihash; returns whether there was one.
    @discardableResult
    func delete(_ cid: CID) throws(BlockStoreError) -> Bool
}

extension BlockStore {
    /// Verifies that `bytes` hash to `cid`, then stores them.
    ///
    /// - Throws: ``BlockStoreError/invalidBlock(_:)`` with ``BlockError/hashMismatch(cid:actual:)`` when they do not
    ///   (nothing is stored), or the store's own error.
    public func put(_ bytes: [UInt8], as cid: CID) throws(BlockStoreError) {
        let block: Block
        do { block = try Block(verifying: bytes, as: cid) } catch { throw .invalidBlock(error) }
        try put(block)
    }

    /// The block under `cid`, hashed on the way out: `nil` if it is missing.
    ///
    /// - Throws: ``BlockStoreError/invalidBlock(_:)`` if the stored bytes do not match `cid`.
    public func getVerified(_ cid: CID) throws(BlockStoreError) -> Block? {
        guard let bytes = try get(cid) else { return nil }
        do { return try Block(verifying: bytes, as: cid) } catch { throw .invalidBlock(error) }
    }
}

/// Why a block store operation failed.
public enum BlockStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes offered or found are not a valid block for the CID.
    case invalidBlock(BlockError)
    /// The file stored for the CID does not hash to it (or is larger than any block): the disk corrupted it.
    /// Its bytes were not returned.
    case corruptBlock(CID, path: String)
    /// The filesystem is full (ENOSPC or EDQUOT) while writing `path`; nothing partial is left under a block's name.
    case diskFull(path: String)
    /// A file operation failed with `errno`.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// Another writer holds the repository's lock; `holderPID` is the process it names, when readable.
    case locked(path: String, holderPID: Int32?)
    /// The folder is not empty and has no `version` file, so it is not a repository.
    case notARepository(path: String)
    /// The repository's `version` file names a layout this program does not know.
    case unsupportedRepoVersion(path: String, found: String)
    /// The store was opened read-only and the operation writes.
    case readOnly(path: String)
    /// The pin file is damaged at `line` (1-based).
    case invalidPinFile(path: String, line: Int)
    /// A block under a pinned (or to be pinned) root is missing, so the DAG cannot be walked.
    case incompleteDAG(root: CID, missing: CID)
    /// A dag-pb block in a DAG being walked does not decode, so its links are unknown.
    case invalidDagPB(CID, DagPBError)
    /// The write session was already closed or discarded.
    case sessionClosed
    /// The block is a pinned root: unpin it first (`block rm` refuses it; GC removes blocks no pin reaches).
    case pinnedRoot(CID)

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .invalidBlock(let error): error.description
        case .corruptBlock(let cid, let path):
            "block \(cid) is corrupt on disk: \(path) does not match its hash (run repo verify)"
        case .diskFull(let path): "disk full while writing \(path); no partial block was kept"
        case .fileSystem(let operation, let path, let code):
            "\(operation) \(path): \(POSIX.describe(code))"
        case .locked(let path, let pid):
            "repository \(path) is locked by "
                + (pid.map { "process \($0)" } ?? "another process") + "; only one writer may open it"
        case .notARepository(let path): "\(path) is not a repository (not empty and no version file)"
        case .unsupportedRepoVersion(let path, let found):
            "repository \(path) has layout version '\(found)'; this program reads version "
                + "\(FileBlockStore.layoutVersion) only"
        case .readOnly(let path): "repository \(path) is open read-only"
        case .invalidPinFile(let path, let line): "pin file \(path) is damaged at line \(line)"
        case .incompleteDAG(let root, let missing): "block \(missing) under root \(root) is missing"
        case .invalidDagPB(let cid, let error): "block \(cid): \(error)"
        case .sessionClosed: "the write session is closed"
        case .pinnedRoot(let cid): "\(cid) is a pinned root: unpin it first (dhtnode pin rm \(cid))"
        }
    }
}
