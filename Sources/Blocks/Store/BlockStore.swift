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

    /// A one-line explanation for logs and the CLI.
    public var description: String {
        switch self {
        case .invalidBlock(let error): error.description
        }
    }
}
