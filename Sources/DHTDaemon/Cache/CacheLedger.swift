import Blocks

/// The books of the daemon's block cache, without I/O: which unpinned blocks it holds, their sizes, and their order
/// from least to most recently used. The shell (``BlockCache``) tells it what was written, read or deleted and
/// carries out the evictions it names; times are passed in (seconds), never read.
///
/// Rules:
/// - A block written or read becomes the most recently used (``admit(_:byteCount:now:)``, ``touch(_:now:)``).
/// - While ``byteCount`` is over ``budget``, ``candidates()`` names the least recently used blocks whose bytes
///   cover the excess, oldest first; the shell deletes them and reports each with ``remove(_:)``, or
///   ``touch(_:now:)`` for one it could not delete yet (a write session holds it).
/// - Blocks found on disk that the books do not know (at start, or when a pin went away) join as the least
///   recently used, in the order of their last use (``merge(_:)``).
/// - Reads are stamped on disk at most once per ``stampInterval`` per block: ``touch(_:now:)`` says when.
struct CacheLedger: Sendable {
    /// How often a block's last use is written to its file while it keeps being read: the order after a restart is
    /// at most this much off.
    static let stampInterval: Int64 = 60
    /// The most blocks ``candidates()`` names at once.
    static let maxCandidates = 64

    private struct Entry: Sendable {
        var byteCount: UInt64
        var older: Multihash?
        var newer: Multihash?
        var stampedAt: Int64
    }

    /// The bytes the cache may hold.
    let budget: UInt64
    /// The bytes of the blocks it holds.
    private(set) var byteCount: UInt64 = 0
    private var entries: [Multihash: Entry] = [:]
    private var oldest: Multihash?
    private var newest: Multihash?

    init(budget: UInt64) {
        self.budget = budget
    }

    /// Blocks held.
    var count: Int { entries.count }
    /// Whether the cache holds more than its budget.
    var isOverBudget: Bool { byteCount > budget }
    /// Whether `multihash` is held.
    func contains(_ multihash: Multihash) -> Bool { entries[multihash] != nil }

    /// The blocks from least to most recently used (for tests and status).
    var order: [Multihash] {
        var result: [Multihash] = []
        var cursor = oldest
        while let key = cursor {
            result.append(key)
            cursor = entries[key]?.newer
        }
        return result
    }

    /// A block was written (or found again): it is the most recently used now. A block held already takes its new
    /// size.
    mutating func admit(_ multihash: Multihash, byteCount: UInt64, now: Int64) {
        if let entry = entries[multihash] {
            self.byteCount = self.byteCount - entry.byteCount + byteCount
            entries[multihash]!.byteCount = byteCount
            moveToNewest(multihash)
            entries[multihash]!.stampedAt = now
            return
        }
        entries[multihash] = Entry(byteCount: byteCount, older: newest, newer: nil, stampedAt: now)
        if let newest { entries[newest]!.newer = multihash } else { oldest = multihash }
        newest = multihash
        self.byteCount += byteCount
    }

    /// A block was read or served: it is the most recently used now. Returns whether the shell should stamp the use
    /// on disk (held, and not stamped for ``stampInterval``).
    @discardableResult
    mutating func touch(_ multihash: Multihash, now: Int64) -> Bool {
        guard let entry = entries[multihash] else { return false }
        moveToNewest(multihash)
        guard now - entry.stampedAt >= Self.stampInterval else { return false }
        entries[multihash]!.stampedAt = now
        return true
    }

    /// The block is gone (evicted, deleted, pinned): it leaves the books.
    mutating func remove(_ multihash: Multihash) {
        guard let entry = entries.removeValue(forKey: multihash) else { return }
        unlink(entry)
        byteCount -= entry.byteCount
    }

    /// The least recently used blocks whose bytes cover what is over the budget (at most ``maxCandidates``); empty
    /// when within it.
    func candidates() -> [Multihash] {
        guard isOverBudget else { return [] }
        var excess = byteCount - budget
        var result: [Multihash] = []
        var cursor = oldest
        while let key = cursor, excess > 0, result.count < Self.maxCandidates {
            result.append(key)
            let entry = entries[key]!
            excess -= min(excess, max(entry.byteCount, 1))
            cursor = entry.newer
        }
        return result
    }

    /// Blocks on disk, oldest use first: those not held join as the least recently used, keeping that order among
    /// themselves; held blocks that are not among them leave (deleted or pinned meanwhile).
    mutating func merge(_ found: [FileBlockStore.UnpinnedBlock]) {
        let present = Set(found.map(\.multihash))
        for key in order where !present.contains(key) { remove(key) }
        // Inserted newest-of-the-newcomers first, each in front of the oldest.
        for block in found.reversed() where entries[block.multihash] == nil {
            entries[block.multihash] = Entry(
                byteCount: block.byteCount, older: nil, newer: oldest, stampedAt: block.lastUsed)
            if let oldest { entries[oldest]!.older = block.multihash } else { newest = block.multihash }
            oldest = block.multihash
            byteCount += block.byteCount
        }
    }

    private mutating func moveToNewest(_ multihash: Multihash) {
        guard newest != multihash, let entry = entries[multihash] else { return }
        unlink(entry)
        entries[multihash]!.older = newest
        entries[multihash]!.newer = nil
        if let newest { entries[newest]!.newer = multihash } else { oldest = multihash }
        newest = multihash
    }

    /// Takes the entry out of the order (its own links are left as they were).
    private mutating func unlink(_ entry: Entry) {
        if let older = entry.older { entries[older]?.newer = entry.newer } else { oldest = entry.newer }
        if let newer = entry.newer { entries[newer]?.older = entry.older } else { newest = entry.older }
    }
}
