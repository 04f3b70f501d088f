import Kademlia

/// How a ``Node/put(_:under:ttl:)`` or ``Node/provide(_:)`` went.
public struct PublishReport: Hashable, Sendable {
    /// The closest nodes to the key that were asked to hold the record.
    public var asked: Int
    /// How many of them accepted it.
    public var accepted: Int
    /// The lookup for the key that found them.
    public var lookup: LookupResult

    /// Creates a report.
    public init(asked: Int, accepted: Int, lookup: LookupResult) {
        self.asked = asked
        self.accepted = accepted
        self.lookup = lookup
    }
}

/// How a ``Node/bootstrap(from:)`` went.
public struct BootstrapReport: Hashable, Sendable {
    /// Seed addresses that answered.
    public var seedsAnswered: Int
    /// Contacts in the routing table afterwards.
    public var routingTableSize: Int

    /// Creates a report.
    public init(seedsAnswered: Int, routingTableSize: Int) {
        self.seedsAnswered = seedsAnswered
        self.routingTableSize = routingTableSize
    }
}
