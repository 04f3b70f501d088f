import Kademlia

/// Something that happens at an instant of virtual time.
struct SimulationEvent: Comparable, Sendable {
    enum Kind: Sendable {
        /// A datagram arrives at node `to`.
        case deliver(to: Int32, from: NodeAddress, KademliaMessage)
        /// A request timer of node `node` fires.
        case timeout(node: Int32, TransactionID)
        /// The maintenance tick of node `node` is due.
        case tick(node: Int32)
        /// The scenario starts something on node `node`.
        case command(node: Int32, SimulationCommand)
    }

    var time: Int64
    /// Breaks ties in scheduling order, so the run is the same on every machine.
    var sequence: UInt64
    var kind: Kind

    static func < (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
    }

    static func == (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time == rhs.time && lhs.sequence == rhs.sequence
    }
}

/// An operation the scenario starts on a node.
enum SimulationCommand: Sendable {
    /// Create the node and bootstrap from these nodes.
    case join(seeds: [Int32])
    /// Look up our own ID again from the routing table (the periodic self-lookup that repairs a table built while
    /// the network was small).
    case selfLookup
    /// Look up the k nodes closest to an ID.
    case findNode(NodeID)
    /// Store value number `index` of the scenario.
    case put(index: Int)
    /// Fetch value number `index` of the scenario.
    case get(index: Int)
}
