/// How a node finds out whether it can be reached, and how it serves others' dial-backs (``Reachability``,
/// docs/PROTOCOL.md, "Reachability and client mode").
public struct ReachabilityConfiguration: Hashable, Sendable {
    /// Whether the node checks its own reachability (and so may become a client). Default `false` in the core, so
    /// that tests and the simulator see no extra traffic; a `Node` turns it on. A node always serves others'
    /// dial-backs, whatever this says, unless it runs as a client.
    public var isEnabled = false
    /// Whether the node also listens on TCP at its UDP port (the block exchange), so that a dial-back counts as
    /// reached only when a helper's TCP probe arrives there too: a firewall that lets datagrams in but not
    /// connections leaves the node private. Off for a node without a TCP listener.
    public var probesTCP = false
    /// A status the node is told instead of finding it out (the simulator's private nodes, or an operator who knows
    /// the node sits behind a NAT): with ``ReachabilityStatus/private`` it runs as a client from its start, without
    /// dial-backs. Default `nil`.
    public var assumedStatus: ReachabilityStatus? = nil
    /// Results that agree needed to decide: this many reached probes make the node public, this many unreached
    /// ones private. Each comes from another peer. Default 3.
    public var confirmations = 3
    /// Results remembered (the newest, one per peer); the status follows whichever side has
    /// ``confirmations`` among them. Default 5.
    public var window = 5
    /// Dial-backs in flight at once while the status is not settled. Default 3.
    public var checksAtOnce = 3
    /// Dial-backs in a row that end without a result (refused, unanswered) before the node pauses for
    /// ``retryInterval``. Default 8.
    public var inconclusiveBeforePause = 8
    /// Delay from the first contact entering the routing table to the first dial-back, so that the join can fill
    /// the table with peers to ask. Default 1 s.
    public var firstCheckDelay: Duration = .seconds(1)
    /// How long a dial-back waits for its `DIAL_STATUS` (the peer tries up to ``helpersPerDialBack`` helpers
    /// first). Default 6 s.
    public var dialBackTimeout: Duration = .seconds(6)
    /// How long after a `DIAL_STATUS` saying a probe went out the probe may still arrive; later it counts as not
    /// reached. Default 3 s.
    public var probeWait: Duration = .seconds(3)
    /// Between dial-backs once the status is settled (one at a time, so a change of network shows). Default 2 min.
    public var recheckInterval: Duration = .seconds(120)
    /// Pause after ``inconclusiveBeforePause`` dial-backs without a result. Default 30 s.
    public var retryInterval: Duration = .seconds(30)
    /// Whether a private node runs as a DHT client: it flags its requests `CLIENT` and answers none (probes aside).
    /// Default `true`.
    public var clientWhenPrivate = true
    /// Observed addresses remembered (the most recently reported). Default 8.
    public var observedAddresses = 8
    /// How long an observed address is shown after its last report. Default 30 min.
    public var observedAddressLifetime: Duration = .seconds(1800)
    /// Addresses this node sent to that it remembers, to refuse a probe from one (it could have passed a NAT
    /// because we sent there first): at least this many, for at least ``contactedMemory``. Default 4,096.
    public var contactedAddresses = 4096
    /// How long a sent-to address is remembered (longer than NATs keep a UDP mapping). Default 10 min.
    public var contactedMemory: Duration = .seconds(600)

    /// Helpers a serving node tries for one `DIAL_BACK`, one after another, before it answers `noHelper`. Default 3.
    public var helpersPerDialBack = 3
    /// `DIAL_BACK`s being served at once (waiting for a helper); more are answered `busy`. Default 64.
    public var maxDialBacksInFlight = 64
    /// Budgets a serving node applies per minute (``DialBackLimiter``).
    public var limits = DialBackLimits()

    /// The defaults above.
    public init() {}
}

/// Per-minute budgets of the dial-back service: they bound the probes a node sends on others' behalf, to any
/// target, to one network, and for one requester.
public struct DialBackLimits: Hashable, Sendable {
    /// `DIAL_BACK`s served per minute for one source (an IPv4 address, or an IPv6 /64). Default 10.
    public var dialBacksPerSource = 10
    /// `DIAL_BACK`s served per minute for one network (an IPv4 /24, or an IPv6 /48). Default 40.
    public var dialBacksPerNetwork = 40
    /// Probes sent per minute at the request of one source (a `DIAL_REQUEST`'s sender). Default 20.
    public var probesPerRequester = 20
    /// Probes sent per minute to one target network (an IPv4 /24, or an IPv6 /48). Default 20.
    public var probesPerTargetNetwork = 20
    /// Probes sent per minute in all. Default 200.
    public var probesTotal = 200
    /// Sources and networks tracked at once per budget; when full, new ones are refused (`busy`) until a minute
    /// passes. Default 4,096.
    public var trackedPrefixes = 4096

    /// The defaults above.
    public init() {}
}
