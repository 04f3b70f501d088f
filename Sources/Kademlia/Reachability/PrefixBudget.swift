/// Counts per address prefix in fixed windows of time: at most `limit` per prefix per window, and at most
/// `capacity` prefixes per window (more are refused until the window ends, so the table never grows).
///
/// A window starts at the first count after the previous one ended; all counts are forgotten at its end. The
/// core has no clock: `now` comes with each call.
struct PrefixBudget: Sendable {
    private let limit: Int
    private let capacity: Int
    private let window: Duration
    private var windowStart: DHTInstant?
    private var counts: [AddressPrefix: Int] = [:]

    init(limit: Int, capacity: Int, window: Duration = .seconds(60)) {
        self.limit = max(0, limit)
        self.capacity = max(1, capacity)
        self.window = window
    }

    /// Whether `prefix` may have one more (without taking it).
    mutating func allows(_ prefix: AddressPrefix, now: DHTInstant) -> Bool {
        roll(now: now)
        let used = counts[prefix] ?? 0
        return used < limit && (used > 0 || counts.count < capacity)
    }

    /// Takes one for `prefix`; call after ``allows(_:now:)`` said yes.
    mutating func take(_ prefix: AddressPrefix, now: DHTInstant) {
        roll(now: now)
        counts[prefix, default: 0] += 1
    }

    private mutating func roll(now: DHTInstant) {
        if let start = windowStart, now - start < window { return }
        windowStart = now
        if !counts.isEmpty { counts = [:] }
    }
}

/// Remembers the addresses a node sent to, for at least a given time: two generations of sets, the older dropped
/// when the newer is that old or holds the given number. O(1) per send, at most twice the number held.
struct ContactedAddresses: Sendable {
    private let capacity: Int
    private let memory: Duration
    private var current: Set<NodeAddress> = []
    private var previous: Set<NodeAddress> = []
    private var currentSince: DHTInstant?

    init(capacity: Int, memory: Duration) {
        self.capacity = max(1, capacity)
        self.memory = memory
    }

    mutating func insert(_ address: NodeAddress, now: DHTInstant) {
        if let since = currentSince {
            if now - since >= memory || current.count >= capacity {
                previous = current
                current = []
                currentSince = now
            }
        } else {
            currentSince = now
        }
        current.insert(address)
    }

    /// Whether `address` was sent to (within the memory: an address may be forgotten after ``memory``, never
    /// before, unless more than the capacity were sent to since).
    func contains(_ address: NodeAddress) -> Bool {
        current.contains(address) || previous.contains(address)
    }
}
