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

    /// Stores `value`, sent from `source`, under `key` for `ttl`, capped at ``RecordLimits/valueTTL``. A publisher
    /// has one value per key: storing again replaces it.
    ///
    /// - Parameters:
    ///   - source: the IP the STORE came from; it may hold at most ``RecordLimits/maxRecordsPerSource`` records.
    ///   - sourceRecordsElsewhere: records `source` holds in other stores that share the cap (its provider records).
    public mutating func store(
        _ value: DHTValue,
        under key: RecordKey,
        ttl: Duration,
        from source: NodeAddress.Host,
        sourceRecordsElsewhere: Int = 0,
        now: DHTInstant
    ) -> StoreOutcome {
        guard ttl > .zero else { return .rejected(.invalidTTL) }
        guard value.data.count <= limits.maxValueBytes else { return .rejected(.valueTooLarge) }
        return table.insert(
            value,
            from: source,
            under: key,
            expiresAt: now + min(ttl, limits.valueTTL),
            now: now,
            perKeyLimit: limits.maxValuesPerKey,
            perSourceLimit: limits.maxRecordsPerSource - sourceRecordsElsewhere,
            totalLimit: limits.maxValues,
            isSame: { $0.publisher == value.publisher }
        )
    }

    /// Values held that `source` stored (including expired ones not yet swept).
    public func count(from source: NodeAddress.Host) -> Int {
        table.count(from: source)
    }

    /// The live values under `key`.
    public func values(for key: RecordKey, now: DHTInstant) -> [DHTValue] {
        table.live(under: key, now: now)
    }

    /// Every live value with its key, the IP that stored it and the instant it expires, by key, then oldest first.
    func liveValues(now: DHTInstant) -> [(key: RecordKey, value: DHTValue, source: NodeAddress.Host, expiresAt: DHTInstant)] {
        table.liveEntries(now: now).map { ($0.key, $0.record, $0.source, $0.expiresAt) }
    }

    /// Drops every value whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
