/// What a simulation run measured.
///
/// `exact` is the fraction of lookups whose result is exactly the set of the k live nodes closest to the target
/// (the initiator left out), computed from the simulator's global view. `found` is the fraction of FIND_VALUE
/// lookups, after the churn, that returned the value stored before it. Times are simulated; `timeRTTs*` divide
/// them by the mean round trip of a link. The JSON keys are the property names (camelCase, units in the names), as
/// every `--json` of `dhtnode` writes them.
public struct SimulationReport: Codable, Hashable, Sendable {
    /// Nodes that joined before the measurements.
    public var nodes: Int
    /// FIND_NODE lookups measured.
    public var lookups: Int
    /// Probability that a datagram was lost.
    public var loss: Double
    /// Fraction of nodes that left without notice (as many joined).
    public var churn: Double
    /// Fraction of nodes behind NATs, DHT clients (``SimulationConfiguration/privateShare``).
    public var privateShare: Double
    /// One-way link latency range, `A-B` milliseconds.
    public var latencyMs: String
    /// The seed of the run.
    public var seed: UInt64
    /// Fraction of lookups whose result is exactly the k live nodes closest to the target.
    public var exact: Double
    /// Median referral depth of a lookup's closest result.
    public var hopsP50: Double
    /// 99th percentile of the referral depth.
    public var hopsP99: Double
    /// Median requests per lookup, retransmissions included.
    public var messagesP50: Double
    /// 99th percentile of requests per lookup.
    public var messagesP99: Double
    /// Median lookup time in simulated milliseconds.
    public var timeMsP50: Double
    /// 99th percentile of lookup time in simulated milliseconds.
    public var timeMsP99: Double
    /// Median lookup time in mean link RTTs.
    public var timeRTTsP50: Double
    /// 99th percentile of lookup time in mean link RTTs.
    public var timeRTTsP99: Double
    /// Fraction of FIND_VALUE lookups after the churn that returned the value stored before it.
    public var found: Double
    /// FIND_VALUE lookups run.
    public var gets: Int
    /// Mean number of nodes that accepted each stored value.
    public var storedReplicasMean: Double
    /// Mean requests of a join's lookup of its own ID.
    public var joinMessagesPerNode: Double
    /// Mean routing-table size of the live public nodes at the end.
    public var routingTableSizeMean: Double
    /// Datagrams sent by all nodes.
    public var datagrams: Int
    /// Datagrams the simulated network dropped.
    public var datagramsLost: Int
    /// Virtual time the whole run took.
    public var simulatedSeconds: Double
    /// Requests sent by all nodes, retransmissions included, and how many of them timed out.
    public var requests: Int
    /// Of those requests, how many timed out.
    public var requestTimeouts: Int
    /// The names phase: resolves of mutable records after an update.
    public var names: NameReport
    /// Filled in by the caller, who owns the wall clock.
    public var wallSeconds: Double = 0
    /// Filled in by the caller, who can read the process's memory.
    public var peakRSSMiB: Double = 0

}

/// What the names phase of a simulation measured: after the churn, each name was published again (sequence 1) and
/// then resolved from a random live node.
public struct NameReport: Codable, Hashable, Sendable {
    /// Resolves run.
    public var resolves: Int
    /// Fraction of resolves that returned the newest record (sequence 1).
    public var newest: Double
    /// Mean number of nodes that accepted each update.
    public var replicasMean: Double
    /// Median requests per resolve, retransmissions included.
    public var messagesP50: Double
    /// 99th percentile of requests per resolve.
    public var messagesP99: Double
    /// Median resolve time in simulated milliseconds.
    public var timeMsP50: Double
    /// 99th percentile of resolve time in simulated milliseconds.
    public var timeMsP99: Double
    /// Median resolve time in mean link RTTs.
    public var timeRTTsP50: Double
    /// 99th percentile of resolve time in mean link RTTs.
    public var timeRTTsP99: Double
    /// Mean number of nodes that answered a resolve with a valid record.
    public var validAnswersMean: Double
    /// Mean number of nodes a resolve corrected (they answered with sequence 0).
    public var correctedMean: Double

}
