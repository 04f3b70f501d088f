import DHTNode

/// `GET /v1/stats`: the node's counters (the same figures feed `/metrics`).
public struct StatisticsDocument: Codable, Hashable, Sendable {
    /// Datagrams received.
    public var datagramsIn: Int
    /// Datagrams sent.
    public var datagramsOut: Int
    /// Datagrams dropped, by reason.
    public var dropped: [String: Int]
    /// Requests answered.
    public var requestsAnswered: Int
    /// Replies cut to the amplification limit.
    public var repliesCutForAmplification: Int
    /// Contacts in the routing table.
    public var routingTableSize: Int
    /// Values held for others.
    public var valuesHeld: Int
    /// Provider records held for others.
    public var providerRecordsHeld: Int
    /// Lookups completed.
    public var lookupsCompleted: Int

    /// The document of `statistics`.
    public init(_ statistics: NodeStatistics) {
        self.datagramsIn = statistics.datagramsIn
        self.datagramsOut = statistics.datagramsOut
        self.dropped = Dictionary(uniqueKeysWithValues: statistics.dropped.map { ($0.key.rawValue, $0.value) })
        self.requestsAnswered = statistics.requestsAnswered
        self.repliesCutForAmplification = statistics.repliesCutForAmplification
        self.routingTableSize = statistics.routingTableSize
        self.valuesHeld = statistics.valuesHeld
        self.providerRecordsHeld = statistics.providerRecordsHeld
        self.lookupsCompleted = statistics.lookupsCompleted
    }
}
