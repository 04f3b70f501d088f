/// Limits on what other nodes can make this node do. Every queue and table they govern is bounded: past a limit
/// the node drops and counts, it never grows.
public struct AbuseLimits: Hashable, Sendable {
    /// Requests per second that one source IP may send (token bucket refill rate). Default 200.
    public var requestsPerSecondPerSource: Double = 200
    /// Requests one source IP may send in a burst (token bucket size). Default 400.
    public var requestBurstPerSource: Double = 400
    /// Datagrams per second accepted from everyone together. Default 100,000.
    public var datagramsPerSecond: Double = 100_000
    /// Datagrams accepted in a burst from everyone together. Default 20,000.
    public var datagramBurst: Double = 20_000
    /// Source IPs tracked by the per-source limiter; past it, sources without a bucket share one. Default 16,384.
    public var trackedSources: Int = 16_384
    /// What this node sends to an address that has not proven itself (it has not answered a request of ours) is at
    /// most this many times what that address sent: each reply is cut to this many times its request, and the
    /// verification pings its requests draw are sent only from what is left. Default 3.
    public var amplificationFactor: Int = 3
    /// Addresses that have not proven themselves whose amplification budget (what they may still be sent) is
    /// tracked. Past it, the address heard from longest ago is forgotten with its budget: it is sent nothing more
    /// until it sends again. Default 16,384.
    public var unprovenAddresses: Int = 16_384
    /// Addresses remembered as proven (they answered a request of ours). Default 16,384.
    public var provenAddresses: Int = 16_384
    /// Write tokens remembered from other nodes' replies, to present with STORE and ADD_PROVIDER. Default 4,096.
    public var rememberedWriteTokens: Int = 4096
    /// How often the write-token secret changes; a token is accepted for two periods. Default 5 minutes.
    public var writeTokenRotation: Duration = .seconds(300)
    /// Requests remembered to drop replays (same sender key and transaction ID). Default 65,536.
    public var replayWindowEntries: Int = 65_536
    /// How long a request is remembered for replay detection. Default 2 minutes.
    public var replayWindow: Duration = .seconds(120)
    /// Datagrams waiting to be written; past it, outbound datagrams are dropped and counted. Default 4,096.
    public var outboundQueue: Int = 4096

    /// The defaults above.
    public init() {}

    /// No per-source or global rate limit (for benchmarks that load one node from one address). The caps on
    /// tables and queues stay.
    public static var unlimitedRates: AbuseLimits {
        var limits = AbuseLimits()
        limits.requestsPerSecondPerSource = .infinity
        limits.requestBurstPerSource = .infinity
        limits.datagramsPerSecond = .infinity
        limits.datagramBurst = .infinity
        return limits
    }
}
