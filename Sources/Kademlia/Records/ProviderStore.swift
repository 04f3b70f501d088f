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

    /// Records `provider` for `key` for ``RecordLimits/providerTTL``; a known provider gets a fresh lifetime and
    /// its new address.
    public mutating func add(_ provider: Contact, for key: RecordKey, now: DHTInstant) -> StoreOutcome {
        table.insert(
            provider,
            under: key,
            expiresAt: now + limits.providerTTL,
            now: now,
            perKeyLimit: limits.maxProvidersPerKey,
            totalLimit: limits.maxProviderRecords,
            isSame: { $0.id == provider.id }
        )
    }

    /// The live providers of `key`, most recently announced last.
    public func providers(for key: RecordKey, now: DHTInstant) -> [Contact] {
        table.live(under: key, now: now)
    }

    /// Drops every record whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
