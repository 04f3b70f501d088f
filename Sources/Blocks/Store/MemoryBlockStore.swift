import Synchronization

/// A ``BlockStore`` in memory, for tests, `--only-hash` style imports and caches. Thread-safe.
public final class MemoryBlockStore: BlockStore {
    private struct State {
        var blocks: [Multihash: [UInt8]] = [:]
        var byteCount = 0
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    /// The number of blocks stored.
    public var count: Int { state.withLock { $0.blocks.count } }

    /// The total size of the stored blocks in bytes.
    public var byteCount: Int { state.withLock { $0.byteCount } }

    /// The multihashes of every stored block, in no particular order (for tests and diagnostics).
    public var multihashes: [Multihash] { state.withLock { Array($0.blocks.keys) } }

    /// The bytes stored under `cid`'s multihash, or `nil`.
    public func get(_ cid: CID) -> [UInt8]? {
        state.withLock { $0.blocks[cid.multihash] }
    }

    /// Whether a block is stored under `cid`'s multihash.
    public func has(_ cid: CID) -> Bool {
        state.withLock { $0.blocks[cid.multihash] != nil }
    }

    /// Stores a verified block (``Block`` guarantees its bytes match its CID); a second put is a no-op.
    public func put(_ block: Block) {
        state.withLock { state in
            if state.blocks[block.cid.multihash] == nil {
                state.blocks[block.cid.multihash] = block.bytes
                state.byteCount += block.bytes.count
            }
        }
    }

    /// Removes the block under `cid`'s multihash; returns whether there was one.
    @discardableResult
    public func delete(_ cid: CID) -> Bool {
        state.withLock { state in
            guard let removed = state.blocks.removeValue(forKey: cid.multihash) else { return false }
            state.byteCount -= removed.count
            return true
        }
    }
}
