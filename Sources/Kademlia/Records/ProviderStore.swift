/// Provider records this node holds: which nodes said they can serve a key, until when.
///
/// A provider is always the node that sent ADD_PROVIDER, at the address it sent from: nobody announces others.
public struct ProviderStore: Sendable {
    struct Held: Sendable {
        var provider: Contact
        var expiresAt: DHTInstant
    }

    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var byKey: [RecordKey: [Held]] = [:]
    /// Provider records held (including expired ones not yet swept).
    public private(set) var count = 0

    /// Creates an empty store.
    public init(limits: RecordLimits = RecordLimits()) {
        self.limits = limits
    }

    /// The number of keys with at least one provider.
    public var keyCount: Int { byKey.count }

    /// Records `provider` for `key` for ``RecordLimits/providerTTL``; a known provider gets a fresh lifetime and
    /// its new address.
    public mutating func add(_ provider: Contact, for key: RecordKey, now: DHTInstant) -> StoreOutcome {
        let expiresAt = now + limits.providerTTL
        var held = byKey[key] ?? []
        if let index = held.firstIndex(where: { $0.provider.id == provider.id }) {
            held[index] = Held(provider: provider, expiresAt: expiresAt)
            byKey[key] = held
            return .replaced
        }
        let before = held.count
        held.removeAll { $0.expiresAt <= now }
        count -= before - held.count
        guard held.count < limits.maxProvidersPerKey else {
            byKey[key] = held.isEmpty ? nil : held
            return .rejected(.keyFull)
        }
        guard count < limits.maxProviderRecords else {
            byKey[key] = held.isEmpty ? nil : held
            return .rejected(.storeFull)
        }
        held.append(Held(provider: provider, expiresAt: expiresAt))
        byKey[key] = held
        count += 1
        return .stored
    }

    /// The live providers of `key`, most recently announced last.
    public func providers(for key: RecordKey, now: DHTInstant) -> [Contact] {
        guard let held = byKey[key] else { return [] }
        return held.filter { $0.expiresAt > now }.map(\.provider)
    }

    /// Drops every record whose lifetime ended; returns how many.
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
