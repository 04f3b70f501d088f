import Blocks
import Exchange

/// Where a ``Node`` keeps blocks: what it serves to peers, and where its fetches put the blocks they verified.
///
/// A store may buffer what fetches put (a repository writes them through a session with grouped fsyncs):
/// ``flush()`` makes everything put so far durable and readable, and the node calls it off the exchange's actor
/// when a fetch ends.
public protocol ContentStore: BlockStore, BlockSource {
    /// Makes every block put so far durable.
    func flush() throws(BlockStoreError)

    /// Adds the regular file at `path` as one UnixFS file with `profile`, pinned, when the store has a better way
    /// than block by block (the on-disk repository copies it into one packed file while hashing it on every core);
    /// `nil` when it has none: ``Node/add(file:profile:)`` then builds the blocks and puts them one by one.
    func addFile(at path: String, profile: ImportProfile) async throws -> ImportResult?
}

extension ContentStore {
    /// No better way: the node puts the blocks one by one.
    public func addFile(at path: String, profile: ImportProfile) async throws -> ImportResult? { nil }
}

extension MemoryBlockStore: ContentStore {
    /// Nothing to do: a memory store holds every block at once.
    public func flush() {}
}

/// Any ``ContentStore``, behind one concrete type (the exchange node is generic over its store).
public struct AnyContentStore: ContentStore {
    /// The wrapped store.
    public let base: any ContentStore

    /// Wraps `base`.
    public init(_ base: any ContentStore) { self.base = base }

    public func get(_ cid: CID) throws(BlockStoreError) -> [UInt8]? { try base.get(cid) }
    public func has(_ cid: CID) throws(BlockStoreError) -> Bool { try base.has(cid) }
    public func getVerified(_ cid: CID) throws(BlockStoreError) -> Block? { try base.getVerified(cid) }
    public func put(_ block: Block) throws(BlockStoreError) { try base.put(block) }
    @discardableResult
    public func delete(_ cid: CID) throws(BlockStoreError) -> Bool { try base.delete(cid) }
    public func hasBlock(_ cid: CID) -> Bool { base.hasBlock(cid) }
    public func blockBytes(_ cid: CID) -> [UInt8]? { base.blockBytes(cid) }
    public func flush() throws(BlockStoreError) { try base.flush() }
    public func addFile(at path: String, profile: ImportProfile) async throws -> ImportResult? {
        try await base.addFile(at: path, profile: profile)
    }
}
