import Blocks

/// Where the server side of an ``ExchangeInstance`` reads the blocks it serves.
///
/// Synchronous on purpose. The repository's ``BlockStore``s are synchronous (memory, or files read with plain
/// system calls, off the event loop), and a block read costs about what hashing it costs, which the core does
/// anyway. Asking through a directive and an event instead (`readBlock` → `blockRead`) would add a state per
/// queued want and a round trip through the shell for every block, for no gain in determinism: the source is a
/// parameter of each event, so tests and the simulator pass an in-memory one. The core only reads a block when
/// the peer's window lets it send it, so bytes are never held for a queued want.
///
/// A read from a disk costs more: a 256 KiB block file that is not in the page cache took about 0.5 ms to read on
/// this project's VM, one read after another, with the core waiting. So the server announces the blocks it will
/// read soon (``prepareToServe(_:)``), and a source on a disk starts reading them then, all at once, without
/// waiting for them.
///
/// Every ``BlockStore`` is a `BlockSource`.
public protocol BlockSource {
    /// Whether the block is available (answers `WANT_HAVE` and admits `WANT_BLOCK` to the queue).
    func hasBlock(_ cid: CID) -> Bool
    /// The block's bytes, or `nil` when it is not (or no longer) available. The bytes MUST hash to `cid` as far
    /// as the source knows: a store verifies what it wrote and what it reads (the daemon's repository hashes a
    /// block the first time it serves it in a process), and the receiver checks again anyway.
    func blockBytes(_ cid: CID) -> [UInt8]?
    /// A hint: a `WANT_BLOCK` for `cid` is queued, and ``blockBytes(_:)`` will be asked for it soon. A source on a
    /// disk starts reading it into memory; it MUST NOT wait for the read. The server hints at most
    /// ``ExchangeConfiguration/maxPreparedBlocksPerPeer`` unserved wants per peer and
    /// ``ExchangeConfiguration/maxPreparedBlocksTotal`` in all. By default it does nothing.
    func prepareToServe(_ cid: CID)
}

extension BlockSource {
    /// Does nothing: the source has its blocks in memory.
    public func prepareToServe(_ cid: CID) {}
}

extension BlockSource where Self: BlockStore {
    /// Asks ``BlockStore/has(_:)``; a store error counts as not having the block.
    public func hasBlock(_ cid: CID) -> Bool { (try? has(cid)) ?? false }
    /// Asks ``BlockStore/get(_:)``; a store error counts as not having the block.
    public func blockBytes(_ cid: CID) -> [UInt8]? { (try? get(cid)) ?? nil }
}

extension MemoryBlockStore: BlockSource {}
extension FileBlockStore: BlockSource {}
