import DequeModule

/// A dictionary with a cap: inserting past ``capacity`` forgets the entry inserted (or refreshed) longest ago.
///
/// The node keeps what other nodes tell it (proven addresses, write tokens, replay marks) in these, so no amount of
/// traffic makes the tables grow past their caps.
struct BoundedRecencyMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Most entries kept.
    let capacity: Int
    private var entries: [Key: (value: Value, generation: UInt64)] = [:]
    /// Keys in insertion order with the generation they were inserted at; stale ones are skipped on eviction.
    private var order: Deque<(key: Key, generation: UInt64)> = []
    private var generation: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a bounded map needs room for one entry")
        self.capacity = capacity
    }

    /// Entries held.
    var count: Int { entries.count }

    /// The value under `key`.
    subscript(key: Key) -> Value? {
        entries[key]?.value
    }

    /// Sets `value` under `key` and makes it the newest entry, forgetting the oldest past the cap.
    mutating func insert(_ value: Value, for key: Key) {
        generation &+= 1
        entries[key] = (value, generation)
        order.append((key, generation))
        while entries.count > capacity, let oldest = order.popFirst() {
            if entries[oldest.key]?.generation == oldest.generation { entries[oldest.key] = nil }
        }
        // Refreshed keys leave stale marks behind; compact when they dominate.
        if order.count > 2 * capacity + 16 {
            order = Deque(order.filter { entries[$0.key]?.generation == $0.generation })
        }
    }

    /// Removes the entry under `key`.
    mutating func removeValue(for key: Key) {
        entries[key] = nil
    }

    /// Removes entries from the oldest on while `isExpired` says so; stops at the first live one.
    mutating func removeOldest(while isExpired: (Value) -> Bool) {
        while let oldest = order.first {
            guard let entry = entries[oldest.key], entry.generation == oldest.generation else {
                order.removeFirst()
                continue
            }
            guard isExpired(entry.value) else { return }
            entries[oldest.key] = nil
            order.removeFirst()
        }
    }
}
