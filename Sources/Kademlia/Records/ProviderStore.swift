/// Provider records this node holds: which nodes said they can serve a key, until when.
///
/// A provider is always the node that sent ADD_PROVIDER, at the address it sent from: nobody announces others. A
/// full store evicts the record of the key farthest from `localID` for a record under a nearer key.
public struct ProviderStore: Sendable {
    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var table: ExpiringRecordTable<Contact>

    /// Creates an empty store for the node `localID` (distances for eviction are measured from it).
    public init(limits: RecordLimits = RecordLimits(), localID: NodeID) {
        self.limits = limits
        self.table = ExpiringRecordTable(center: localID)
    }

    /// Provider records held (including expired ones not yet swept).
    public var count: Int { table.count }

    /// The number of keys with at least one provider.
    public var keyCount: Int { table.keyCount }

    /// Records `provider` for `key` for `ttl` (default and longest ``RecordLimits/providerTTL``); a known provider
    /// gets a fresh lifetime and its new address.
    ///
    /// The record counts against the caps of the provider's source (``RecordLimits/maxRecordsPerSource``) and
    /// network (``RecordLimits/maxRecordsPerNetwork``): a provider is always the node that sent ADD_PROVIDER, from
    /// `provider.address`. A full store (``RecordLimits/maxProviderRecords``) evicts the oldest record of the key
    /// farthest from the node's ID if that key is farther than `key`, and refuses with ``StoreRejection/storeFull``
    /// otherwise.
    ///
    /// Records one provider under several addresses (a node behind a NAT at each of its relays): its records
    /// under `key` at other addresses are dropped, and every record counts against the caps of `source`, the
    /// address the announcement came from. Returns the outcome of the last record (the first refusal, if any).
    public mutating func add(
        _ records: [Contact],
        for key: RecordKey,
        from source: NodeAddress.Host,
        ttl: Duration? = nil,
        elsewhere: RecordSourceUsage = .none,
        now: DHTInstant
    ) -> StoreOutcome {
        let ttl = min(ttl ?? limits.providerTTL, limits.providerTTL)
        guard ttl > .zero, let id = records.first?.id else { return .rejected(.invalidTTL) }
        table.remove(under: key) { $0.id == id && !records.contains($0) }
        var outcome = StoreOutcome.stored
        for record in records {
            outcome = table.insert(
                record,
                from: source,
                under: key,
                expiresAt: now + ttl,
                now: now,
                caps: limits.caps(perKey: limits.maxProvidersPerKey, total: limits.maxProviderRecords),
                elsewhere: elsewhere,
                isSame: { $0 == record }
            )
            if case .rejected = outcome { return outcome }
        }
        return outcome
    }

    /// - Parameter elsewhere: what that source and network hold in the store that shares the caps (their values).
    public mutating func add(
        _ provider: Contact,
        for key: RecordKey,
        ttl: Duration? = nil,
        elsewhere: RecordSourceUsage = .none,
        now: DHTInstant
    ) -> StoreOutcome {
        let ttl = min(ttl ?? limits.providerTTL, limits.providerTTL)
        guard ttl > .zero else { return .rejected(.invalidTTL) }
        return table.insert(
            provider,
            from: provider.address.host,
            under: key,
            expiresAt: now + ttl,
            now: now,
            caps: limits.caps(perKey: limits.maxProvidersPerKey, total: limits.maxProviderRecords),
            elsewhere: elsewhere,
            isSame: { $0.id == provider.id }
        )
    }

    /// Provider records held for the source of `host` (its IPv4 address or IPv6 /64), including expired ones not
    /// yet swept.
    public func count(from host: NodeAddress.Host) -> Int {
        table.count(from: host)
    }

    /// Provider records held for the source and the network of `host` (including expired ones not yet swept).
    public func usage(of host: NodeAddress.Host) -> RecordSourceUsage {
        table.usage(of: host)
    }

    /// Records evicted so far to make room for records under keys nearer the node.
    public var evictions: Int { table.evictions }

    /// The live providers of `key`, most recently announced last.
    public func providers(for key: RecordKey, now: DHTInstant) -> [Contact] {
        table.live(under: key, now: now)
    }

    /// Every live provider record with its key and the instant it expires, by key, then oldest first.
    func liveProviders(now: DHTInstant) -> [(key: RecordKey, provider: Contact, expiresAt: DHTInstant)] {
        table.liveEntries(now: now).map { ($0.key, $0.record, $0.expiresAt) }
    }

    /// ``liveProviders(now:)`` of the keys nearest the node, at most `limit` records.
    func liveProviders(
        now: DHTInstant,
        nearest limit: Int
    ) -> [(key: RecordKey, provider: Contact, expiresAt: DHTInstant)] {
        table.liveEntries(now: now, nearest: limit).map { ($0.key, $0.record, $0.expiresAt) }
    }

    /// Drops every record whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
