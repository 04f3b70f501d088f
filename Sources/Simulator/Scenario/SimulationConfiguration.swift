import Kademlia

/// What a simulation run does. Every number in the report follows from these and the seed.
public struct SimulationConfiguration: Hashable, Sendable {
    /// Nodes that join before the measurements.
    public var nodes: Int = 1000
    /// FIND_NODE lookups measured; as many values are stored before the churn and fetched after it.
    public var lookups: Int = 100
    /// Probability that any one datagram is lost, 0 ≤ p < 1.
    public var loss: Double = 0
    /// Fraction of nodes that leave without notice after the tables formed and the values were stored; as many
    /// new nodes join in their place.
    public var churn: Double = 0
    /// Fraction of nodes behind NATs: DHT clients that nobody can send a request to (only answers to their own
    /// requests reach them), 0 ≤ p < 1. The first node is always public.
    public var privateShare: Double = 0
    /// One-way latency of each link in milliseconds, drawn once per pair of nodes from this range.
    public var latencyMilliseconds: ClosedRange<Double> = 20...80
    /// Seeds every random choice of the run.
    public var seed: UInt64 = 1
    /// Virtual time between two joins; joins overlap when it is shorter than a join takes.
    public var joinSpacing: Duration = .milliseconds(5)
    /// Virtual time between the starts of two measured operations.
    public var operationSpacing: Duration = .milliseconds(5)
    /// The core's tuning. The simulator turns the IP-diversity limit off (its addresses are synthetic) and keeps
    /// every other default.
    public var kademlia: KademliaConfiguration = {
        var configuration = KademliaConfiguration()
        configuration.routingTable.ipDiversity = nil
        return configuration
    }()

    /// The defaults above.
    public init() {}

    /// The mean round trip of a link, in milliseconds: the unit of the report's times in RTTs.
    public var meanRTTMilliseconds: Double {
        latencyMilliseconds.lowerBound + latencyMilliseconds.upperBound
    }
}
