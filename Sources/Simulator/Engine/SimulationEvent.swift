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
        /// The maintenance tick of `node` is due; `payload` numbers the request (only the latest one runs).
        case tick
        /// The scenario starts something on `node`; `payload` is its slot in the command slab.
        case command
    }

    var time: Int64
    /// The node whose action created the event (-1 for the scenario's commands).
    var origin: Int32
    /// Counts the events `origin` created. With `time` and `origin` it orders events the same way however the
    /// nodes are split among threads, which keeps a run reproducible.
    var originSequence: UInt32
    var payload: UInt64
    /// The node the event happens to.
    var node: Int32
    var kind: Kind

    static func < (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        if lhs.time != rhs.time { return lhs.time < rhs.time }
        if lhs.origin != rhs.origin { return lhs.origin < rhs.origin }
        return lhs.originSequence < rhs.originSequence
    }

    static func == (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time == rhs.time && lhs.origin == rhs.origin && lhs.originSequence == rhs.originSequence
    }
}

/// A datagram on its way.
struct Delivery: Sendable {
    var from: Int32
    var message: KademliaMessage
}

/// An operation the scenario starts on a node.
enum SimulationCommand: Sendable {
    /// Create the node with this ID and generator seed, and bootstrap from these nodes.
    case join(id: NodeID, seed: UInt64, seeds: [Int32], isPrivate: Bool = false)
    /// Look up our own ID again from the routing table (the periodic self-lookup that repairs a table built while
    /// the network was small).
    case selfLookup
    /// Look up the k nodes closest to an ID.
    case findNode(NodeID)
    /// Store value number `index` of the scenario.
    case put(index: Int)
    /// Fetch value number `index` of the scenario.
    case get(index: Int)
    /// Publish name number `index` of the scenario with this sequence.
    case putRecord(index: Int, sequence: UInt64)
    /// Resolve name number `index` of the scenario.
    case getRecord(index: Int)
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
