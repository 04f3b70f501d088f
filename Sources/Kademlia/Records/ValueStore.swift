/// Values this node holds for others, with lifetimes and caps.
///
/// Expiry is driven by ``expire(now:)`` from the node's maintenance tick; reads also skip expired values. A full
/// store evicts the value of the key farthest from `localID` for a value under a nearer key
/// (``store(_:under:ttl:from:elsewhere:now:)``).
public struct ValueStore: Sendable {
    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var table: ExpiringRecordTable<DHTValue>

    /// Creates an empty store for the node `localID` (distances for eviction are measured from it).
    public init(limits: RecordLimits = RecordLimits(), localID: NodeID) {
        self.limits = limits
        self.table = ExpiringRecordTable(center: localID)
    }

    /// Values held (including expired ones not yet swept).
    public var count: Int { table.count }

    /// The number of keys with at least one value.
    public var keyCount: Int { table.keyCount }

    /// Stores `value`, sent from `source`, under `key` for `ttl`, capped at ``RecordLimits/valueTTL``. A publisher
    /// has one value per key: storing again replaces it.
    ///
    /// When the store holds ``RecordLimits/maxValues``, the oldest value of the key farthest from the node's ID
    /// is evicted if that key is farther than `key`; otherwise the value is refused with
    /// ``StoreRejection/storeFull``.
    ///
    /// - Parameters:
    ///   - source: the IP the STORE came from; its source (IPv4 address or IPv6 /64) may hold at most
    ///     ``RecordLimits/maxRecordsPerSource`` records and its network (IPv4 /24 or IPv6 /48)
    ///     ``RecordLimits/maxRecordsPerNetwork``.
    ///   - elsewhere: what that source and network hold in the store that shares the caps (their provider records).
    public mutating func store(
        _ value: DHTValue,
        under key: RecordKey,
        ttl: Duration,
        from source: NodeAddress.Host,
        elsewhere: RecordSourceUsage = .none,
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
            caps: limits.caps(perKey: limits.maxValuesPerKey, total: limits.maxValues),
            elsewhere: elsewhere,
            isSame: { $0.publisher == value.publisher }
        )
    }

    /// Values held that the source of `host` (its IPv4 address or IPv6 /64) stored, including expired ones not yet
    /// swept.
    public func count(from host: NodeAddress.Host) -> Int {
        table.count(from: host)
    }

    /// Values held that the source and the network of `host` stored (including expired ones not yet swept).
    public func usage(of host: NodeAddress.Host) -> RecordSourceUsage {
        table.usage(of: host)
    }

    /// Values evicted so far to make room for values under keys nearer the node.
    public var evictions: Int { table.evictions }

    /// The live values under `key`.
    public func values(for key: RecordKey, now: DHTInstant) -> [DHTValue] {
        table.live(under: key, now: now)
    }

    /// Every live value with its key, the IP that stored it and the instant it expires, by key, then oldest first.
    func liveValues(now: DHTInstant) -> [(key: RecordKey, value: DHTValue, source: NodeAddress.Host, expiresAt: DHTInstant)] {
        table.liveEntries(now: now).map { ($0.key, $0.record, $0.source, $0.expiresAt) }
    }

    /// ``liveValues(now:)`` of the keys nearest the node, at most `limit` values.
    func liveValues(
        now: DHTInstant,
        nearest limit: Int
    ) -> [(key: RecordKey, value: DHTValue, source: NodeAddress.Host, expiresAt: DHTInstant)] {
        table.liveEntries(now: now, nearest: limit).map { ($0.key, $0.record, $0.source, $0.expiresAt) }
    }

    /// Drops every value whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
