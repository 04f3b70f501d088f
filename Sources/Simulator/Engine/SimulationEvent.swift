import Kademlia

/// Something that happens at an instant of virtual time.
///
/// Kept at 32 bytes so the event heap (hundreds of thousands of entries at 100,000 nodes) moves little memory:
/// a datagram or a command lives in a ``Slab`` and the event carries its slot.
struct SimulationEvent: Comparable, Sendable {
    enum Kind: UInt8, Sendable {
        /// A datagram arrives at `node`; `payload` is its slot in the delivery slab.
        case deliver
        /// A request timer of `node` fires; `payload` is the transaction ID.
        case timeout
        /// The maintenance tick of `node` is due.
        case tick
        /// The scenario starts something on `node`; `payload` is its slot in the command slab.
        case command
    }

    var time: Int64
    /// Breaks ties in scheduling order, so the run is the same on every machine.
    var sequence: UInt64
    var payload: UInt64
    var node: Int32
    var kind: Kind

    static func < (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
    }

    static func == (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time == rhs.time && lhs.sequence == rhs.sequence
    }
}

/// A datagram on its way.
struct Delivery: Sendable {
    var from: Int32
    var message: KademliaMessage
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

/// Storage with reusable slots: `insert` returns a slot, `remove` frees it for the next insert.
struct Slab<Element> {
    private var slots: [Element?] = []
    private var free: [UInt32] = []

    mutating func insert(_ element: Element) -> UInt64 {
        if let slot = free.popLast() {
            slots[Int(slot)] = element
            return UInt64(slot)
        }
        slots.append(element)
        return UInt64(slots.count - 1)
    }

    mutating func remove(_ slot: UInt64) -> Element? {
        let index = Int(slot)
        guard index < slots.count, let element = slots[index] else { return nil }
        slots[index] = nil
        free.append(UInt32(index))
        return element
    }
}
