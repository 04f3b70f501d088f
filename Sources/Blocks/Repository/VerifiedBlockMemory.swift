import Synchronization

/// Which blocks a process has already hashed and found correct, so that serving the same block again can skip
/// hashing it: a seeder that answers many fetchers of one file reads each block from disk every time, but
/// hashes it once.
///
/// Bounded: at most ``capacity`` blocks in two generations (when the newer one is full it replaces the older),
/// so the blocks served most recently stay remembered and memory stays under about 2 MiB. A block is remembered
/// by the first 8 bytes of its SHA-256 digest: two blocks that share them (a chance of about 2⁻⁶⁴ per pair) only
/// mean one of them is not hashed again when served, and a fetcher checks every block it receives anyway.
///
/// What this gives up: a block file corrupted on disk *after* this process verified it is served as it is, and
/// the receiver that finds the mismatch disconnects and bans the seeder (kubo never hashes what it serves;
/// `dhtnode repo verify` finds such files). Thread-safe.
public final class VerifiedBlockMemory: Sendable {
    /// The most blocks remembered at once (256 KiB blocks: 16 GiB of content).
    public let capacity: Int
    private let generations = Mutex<(newer: Set<UInt64>, older: Set<UInt64>)>(([], []))

    /// A memory of at most `capacity` blocks (at least 2).
    public init(capacity: Int = 65_536) {
        self.capacity = max(2, capacity)
    }

    /// Whether `multihash` was recorded and not yet forgotten.
    public func contains(_ multihash: Multihash) -> Bool {
        let key = Self.key(multihash)
        return generations.withLock { $0.newer.contains(key) || $0.older.contains(key) }
    }

    /// Records that the block named by `multihash` was hashed and matched.
    public func record(_ multihash: Multihash) {
        let key = Self.key(multihash)
        let half = capacity / 2
        generations.withLock { generations in
            guard !generations.newer.contains(key) else { return }
            if generations.newer.count >= half {
                generations.older = generations.newer
                generations.newer = Set(minimumCapacity: half)
            }
            generations.newer.insert(key)
        }
    }

    private static func key(_ multihash: Multihash) -> UInt64 {
        multihash.digest.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
