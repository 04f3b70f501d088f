/// What a simulation run measured.
///
/// `exact` is the fraction of lookups whose result is exactly the set of the k live nodes closest to the target
/// (the initiator left out), computed from the simulator's global view. `found` is the fraction of FIND_VALUE
/// lookups, after the churn, that returned the value stored before it. Times are simulated; `time_rtt_*` divide
/// them by the mean round trip of a link.
public struct SimulationReport: Codable, Hashable, Sendable {
    public var nodes: Int
    public var lookups: Int
    public var loss: Double
    public var churn: Double
    public var latencyMs: String
    public var seed: UInt64
    public var exact: Double
    public var hopsP50: Double
    public var hopsP99: Double
    public var messagesP50: Double
    public var messagesP99: Double
    public var timeMsP50: Double
    public var timeMsP99: Double
    public var timeRTTsP50: Double
    public var timeRTTsP99: Double
    public var found: Double
    public var gets: Int
    public var storedReplicasMean: Double
    public var joinMessagesPerNode: Double
    public var routingTableSizeMean: Double
    public var datagrams: Int
    public var datagramsLost: Int
    public var simulatedSeconds: Double
    /// Requests sent by all nodes, retransmissions included, and how many of them timed out.
    public var requests: Int
    public var requestTimeouts: Int
    /// Filled in by the caller, who owns the wall clock.
    public var wallSeconds: Double = 0
    /// Filled in by the caller, who can read the process's memory.
    public var peakRSSMiB: Double = 0

    enum CodingKeys: String, CodingKey {
        case nodes, lookups, loss, churn, seed, exact, found, gets, datagrams
        case latencyMs = "latency_ms"
        case hopsP50 = "hops_p50"
        case hopsP99 = "hops_p99"
        case messagesP50 = "messages_p50"
        case messagesP99 = "messages_p99"
        case timeMsP50 = "time_ms_p50"
        case timeMsP99 = "time_ms_p99"
        case timeRTTsP50 = "time_rtt_p50"
        case timeRTTsP99 = "time_rtt_p99"
        case storedReplicasMean = "stored_replicas_mean"
        case joinMessagesPerNode = "join_messages_per_node"
        case routingTableSizeMean = "routing_table_size_mean"
        case datagramsLost = "datagrams_lost"
        case simulatedSeconds = "simulated_seconds"
        case requests
        case requestTimeouts = "request_timeouts"
        case wallSeconds = "wall_seconds"
        case peakRSSMiB = "peak_rss_mib"
    }
}
