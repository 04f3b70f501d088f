/// Everything a ``KademliaInstance`` can be tuned with. The defaults are those of a public network node.
public struct KademliaConfiguration: Hashable, Sendable {
    /// Routing-table rules (k, replacement cache, staleness, IP diversity).
    public var routingTable = RoutingTableConfiguration()
    /// Lookup rules (α, k, retransmissions).
    public var lookup = LookupConfiguration()
    /// Record lifetimes and caps.
    public var records = RecordLimits()
    /// Timeout of a request to a contact with no RTT estimate, before any RTT was measured. Default 1 s.
    public var initialTimeout: Duration = .seconds(1)
    /// Shortest timeout an RTT estimate can give. Default 50 ms.
    public var minimumTimeout: Duration = .milliseconds(50)
    /// Longest timeout, retransmission backoff included. Default 4 s.
    public var maximumTimeout: Duration = .seconds(4)
    /// Times a ping is sent before its contact counts as failed. Default 3.
    public var pingAttempts: Int = 3
    /// Times a STORE or ADD_PROVIDER is sent before it counts as failed. Default 3.
    public var storeAttempts: Int = 3
    /// Each retransmission waits this many times longer than the previous attempt. Default 1.5: losses on the
    /// Internet are mostly random, not congestion, and a dead contact should cost a lookup seconds, not tens.
    public var retransmissionBackoff: Double = 1.5
    /// A bucket with no lookup aimed into it and no new contact for this long is refreshed. Default 1 h.
    public var bucketRefreshInterval: Duration = .seconds(3600)
    /// Longest interval between maintenance ticks (record expiry sweeps). Default 60 s.
    public var maintenanceInterval: Duration = .seconds(60)
    /// Operations (lookups, puts, provides, bootstraps) at once; more are refused. Default 256.
    public var maxOperations: Int = 256
    /// Pings at once to verify unknown nodes (that sent us requests, or, with ``ContactAdmission/afterPong``, answered
    /// with something other than a pong); more such nodes are ignored. Default 64.
    public var maxVerifications: Int = 64
    /// Of those, pings at once to unknown nodes that sent us a request from one IPv4 /24 or IPv6 /64; more such
    /// nodes of that network are ignored. A request's source address may be forged: this bounds the pings a flood
    /// of requests with fresh IDs draws to one network (each verification is up to ``pingAttempts`` pings over
    /// about 5 s, so at most about 2.5 pings a second to a /24 or /64 that does not answer). Loopback requesters are
    /// not counted: nobody off this host can send from a loopback address. Default 4.
    public var maxVerificationsPerNetwork: Int = 4
    /// Which responses admit a node that is not in the routing table yet. Default
    /// ``ContactAdmission/afterAnyResponse``.
    public var admission: ContactAdmission = .afterAnyResponse
    /// Dial-backs: whether the node checks its own reachability, runs as a client when private, and the budgets
    /// of the dial-backs it serves for others. Checking is off by default in the core (``ReachabilityConfiguration``).
    public var reachability = ReachabilityConfiguration()

    /// The defaults above.
    public init() {}
}
