import DHTCrypto
import Names

/// What a ``Node`` keeps about names: the names it publishes (with the task that renews each before it expires)
/// and a cache of the records it resolved, each kept at most its TTL.
struct NameState: Sendable {
    /// Most names in the resolver cache; past it, the entry cached longest ago is forgotten.
    static let cacheCapacity = 1024

    struct Publication: Sendable {
        var key: NodeIdentity
        var value: String
        var lifetime: Duration
        var ttl: Duration
        var record: IPNSRecord
        var renewal: Task<Void, Never>?
    }

    struct Cached: Sendable {
        var record: IPNSRecord
        var until: ContinuousClock.Instant
    }

    var publications: [IPNSName: Publication] = [:]
    var cache = BoundedRecencyMap<IPNSName, Cached>(capacity: cacheCapacity)
    /// Whether renewals may be scheduled (false once the node stops).
    var renewing = true
}
