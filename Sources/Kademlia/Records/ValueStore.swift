/// Values this node holds for others, with lifetimes and caps.
///
/// Expiry is driven by ``expire(now:)`` from the node's maintenance tick; reads also skip expired values.
public struct ValueStore: Sendable {
    struct Held: Sendable {
        var value: DHTValue
        var expiresAt: DHTInstant
    }

    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var byKey: [RecordKey: [Held]] = [:]
    /// Values held (including expired ones not yet swept).
    public private(set) var count = 0

    /// Creates an empty store.
    public init(limits: RecordLimits = RecordLimits()) {
        self.limits = limits
    }

    /// The number of keys with at least one value.
    public var keyCount: Int { byKey.count }

    /// Stores `value` under `key` for `ttl`, capped at ``RecordLimits/valueTTL``.
    public mutating func store(_ value: DHTValue, under key: RecordKey, ttl: Duration, now: DHTInstant) -> StoreOutcome {
        guard ttl > .zero else { return .rejected(.invalidTTL) }
        guard value.data.count <= limits.maxValueBytes else { return .rejected(.valueTooLarge) }
        let expiresAt = now + min(ttl, limits.valueTTL)
        var held = byKey[key] ?? []
        if let index = held.firstIndex(where: { $0.value.publisher == value.publisher }) {
            held[index] = Held(value: value, expiresAt: expiresAt)
            byKey[key] = held
            return .replaced
        }
        held.removeAll { $0.expiresAt <= now }
        count -= (byKey[key]?.count ?? 0) - held.count
        guard held.count < limits.maxValuesPerKey else {
            byKey[key] = held.isEmpty ? nil : held
            return .rejected(.keyFull)
        }
        guard count < limits.maxValues else {
            byKey[key] = held.isEmpty ? nil : held
            return .rejected(.storeFull)
        }
        held.append(Held(value: value, expiresAt: expiresAt))
        byKey[key] = held
        count += 1
        return .stored
    }

    /// The live values under `key`.
    public func values(for key: RecordKey, now: DHTInstant) -> [DHTValue] {
        guard let held = byKey[key] else { return [] }
        return held.filter { $0.expiresAt > now }.map(\.value)
    }

    /// Drops every value whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        var dropped = 0
        for key in Array(byKey.keys) {
            guard var held = byKey[key] else { continue }
            let before = held.count
            held.removeAll { $0.expiresAt <= now }
            dropped += before - held.count
            byKey[key] = held.isEmpty ? nil : held
        }
        count -= dropped
        return dropped
    }
}
