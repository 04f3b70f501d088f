import Kademlia

/// The node's inbound limits: a global budget for every datagram, and a token bucket per source IP for requests.
///
/// Buckets are kept for at most ``AbuseLimits/trackedSources`` IPs. When the table is full, buckets that have
/// refilled (their source went quiet) are forgotten; if none has, new sources share one overflow bucket, so a flood
/// from many addresses cannot grow the table or starve the sources already tracked.
struct InboundRateLimiter: Sendable {
    private let limits: AbuseLimits
    private var global: TokenBucket
    private var perSource: [NodeAddress.Host: TokenBucket] = [:]
    private var overflow: TokenBucket
    private var lastSweep: DHTInstant

    init(limits: AbuseLimits, now: DHTInstant) {
        self.limits = limits
        self.global = TokenBucket(rate: limits.datagramsPerSecond, burst: limits.datagramBurst, now: now)
        self.overflow = TokenBucket(
            rate: limits.requestsPerSecondPerSource,
            burst: limits.requestBurstPerSource,
            now: now
        )
        self.lastSweep = now
    }

    /// Source IPs with a bucket of their own.
    var trackedSourceCount: Int { perSource.count }

    /// Whether the global budget admits one more datagram.
    mutating func admitDatagram(now: DHTInstant) -> Bool {
        global.admit(now: now)
    }

    /// Whether `source`'s bucket admits one more request.
    mutating func admitRequest(from source: NodeAddress.Host, now: DHTInstant) -> Bool {
        if limits.requestsPerSecondPerSource.isInfinite { return true }
        if var bucket = perSource[source] {
            let admitted = bucket.admit(now: now)
            perSource[source] = bucket
            return admitted
        }
        if perSource.count >= limits.trackedSources { sweep(now: now) }
        guard perSource.count < limits.trackedSources else { return overflow.admit(now: now) }
        var bucket = TokenBucket(rate: limits.requestsPerSecondPerSource, burst: limits.requestBurstPerSource, now: now)
        let admitted = bucket.admit(now: now)
        perSource[source] = bucket
        return admitted
    }

    /// Forgets sources whose buckets are full again; at most once a second, so a flood of new sources does not
    /// make every datagram scan the table.
    private mutating func sweep(now: DHTInstant) {
        guard now - lastSweep >= .seconds(1) else { return }
        lastSweep = now
        perSource = perSource.filter { !$0.value.isFull(now: now) }
    }
}
