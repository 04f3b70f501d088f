/// The rules of a ``RoutingTable``.
public struct RoutingTableConfiguration: Hashable, Sendable {
    /// Contacts per bucket: Kademlia's k. Default 20.
    public var bucketSize: Int = 20
    /// Verified contacts kept per bucket as replacements for contacts that fail. Default 8.
    public var replacementCacheSize: Int = 8
    /// A full bucket's least-recently-seen contact is pinged before a newcomer may replace it only when it has not
    /// been heard from for this long; fresher contacts are kept without a ping. Default 15 minutes (BEP 5's
    /// "questionable" age).
    public var staleAfter: Duration = .seconds(15 * 60)
    /// A contact that failed this many requests in a row is dropped even when no replacement waits. Default 3.
    public var maxFailures: Int = 3
    /// At most this many contacts of one network prefix per bucket; `nil` turns the limit off (loopback tests,
    /// the simulator).
    public var ipDiversity: IPDiversityLimit? = IPDiversityLimit()

    /// The defaults above.
    public init() {}
}

/// A limit on contacts from one network per bucket, against a single operator filling a bucket with addresses
/// of one network.
public struct IPDiversityLimit: Hashable, Sendable {
    /// Contacts of one prefix allowed per bucket. Default 2.
    public var maxPerPrefix: Int = 2
    /// The IPv4 prefix length that makes "one network". Default 24.
    public var ipv4PrefixLength: Int = 24
    /// The IPv6 prefix length that makes "one network". Default 64.
    public var ipv6PrefixLength: Int = 64
    /// Loopback contacts (127.0.0.0/8, ::1) are not limited: only processes on this host can use those addresses,
    /// so a swarm of local nodes (tests, the demo) is not one attacker. Default true.
    public var exemptsLoopback: Bool = true

    /// 2 contacts per /24 (IPv4) or /64 (IPv6).
    public init() {}

    /// A limit with the given numbers.
    public init(maxPerPrefix: Int, ipv4PrefixLength: Int = 24, ipv6PrefixLength: Int = 64) {
        self.maxPerPrefix = maxPerPrefix
        self.ipv4PrefixLength = ipv4PrefixLength
        self.ipv6PrefixLength = ipv6PrefixLength
    }
}
