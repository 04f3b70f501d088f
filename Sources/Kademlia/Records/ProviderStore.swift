/// Provider records this node holds: which nodes said they can serve a key, until when.
///
/// A provider is always the node that sent ADD_PROVIDER, at the address it sent from: nobody announces others.
public struct ProviderStore: Sendable {
    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var table = ExpiringRecordTable<Contact>()

    /// Creates an empty store.
    public init(limits: RecordLimits = RecordLimits()) {
        self.limits = limits
    }

    /// Provider records held (including expired ones not yet swept).
    public var count: Int { table.count }

    /// The number of keys with at least one provider.
    public var keyCount: Int { table.keyCount }

    /// Records `provider` for `key` for `ttl` (default and longest ``RecordLimits/providerTTL``); a known provider
    /// gets a fresh lifetime and its new address.
    ///
    /// The record counts against the cap of the provider's IP (``RecordLimits/maxRecordsPerSource``): a provider is
    /// always the node that sent ADD_PROVIDER, from `provider.address`.
    ///
    /// - Parameter sourceRecordsElsewhere: records that IP holds in other stores that share the cap (its values).
    public mutating func add(
        _ provider: Contact,
        for key: RecordKey,
        ttl: Duration? = nil,
        sourceRecordsElsewhere: Int = 0,
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
            perKeyLimit: limits.maxProvidersPerKey,
            perSourceLimit: limits.maxRecordsPerSource - sourceRecordsElsewhere,
            totalLimit: limits.maxProviderRecords,
            isSame: { $0.id == provider.id }
        )
    }

    /// Provider records held for `source` (including expired ones not yet swept).
    public func count(from source: NodeAddress.Host) -> Int {
        table.count(from: source)
    }

    /// The live providers of `key`, most recently announced last.
    public func providers(for key: RecordKey, now: DHTInstant) -> [Contact] {
        table.live(under: key, now: now)
    }

    /// Every live provider record with its key and the instant it expires, by key, then oldest first.
    func liveProviders(now: DHTInstant) -> [(key: RecordKey, provider: Contact, expiresAt: DHTInstant)] {
        table.liveEntries(now: now).map { ($0.key, $0.record, $0.expiresAt) }
    }

    /// Drops every record whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
