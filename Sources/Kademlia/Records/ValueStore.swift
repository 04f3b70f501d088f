/// Values this node holds for others, with lifetimes and caps.
///
/// Expiry is driven by ``expire(now:)`` from the node's maintenance tick; reads also skip expired values.
public struct ValueStore: Sendable {
    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var table = ExpiringRecordTable<DHTValue>()

    /// Creates an empty store.
    public init(limits: RecordLimits = RecordLimits()) {
        self.limits = limits
    }

    /// Values held (including expired ones not yet swept).
    public var count: Int { table.count }

    /// The number of keys with at least one value.
    public var keyCount: Int { table.keyCount }

    /// Stores `value` under `key` for `ttl`, capped at ``RecordLimits/valueTTL``. A publisher has one value per
    /// key: storing again replaces it.
    public mutating func store(_ value: DHTValue, under key: RecordKey, ttl: Duration, now: DHTInstant) -> StoreOutcome
    {
        guard ttl > .zero else { return .rejected(.invalidTTL) }
        guard value.data.count <= limits.maxValueBytes else { return .rejected(.valueTooLarge) }
        return table.insert(
            value,
            under: key,
            expiresAt: now + min(ttl, limits.valueTTL),
            now: now,
            perKeyLimit: limits.maxValuesPerKey,
            totalLimit: limits.maxValues,
            isSame: { $0.publisher == value.publisher }
        )
    }

    /// The live values under `key`.
    public func values(for key: RecordKey, now: DHTInstant) -> [DHTValue] {
        table.live(under: key, now: now)
    }

    /// Drops every value whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
