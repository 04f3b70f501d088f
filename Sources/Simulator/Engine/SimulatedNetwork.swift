import Kademlia

/// The world of a simulation: every node's ``KademliaInstance``, a virtual clock and a queue of events.
///
/// Datagrams take the latency of their link (drawn once per pair of nodes from the configured range, the same in
/// both directions) and are lost with the configured probability. Node `i` has the address `10.0.0.0 + i`, port
/// 4000, so addresses map back to nodes without a table. A node that left receives nothing and its timers are
/// ignored.
struct SimulatedNetwork {
    let configuration: SimulationConfiguration
    private(set) var nodes: [KademliaInstance] = []
    private(set) var alive: [Bool] = []
    private(set) var now: Int64 = 0
    private(set) var datagrams = 0
    private(set) var datagramsLost = 0
    private var queue = CalendarQueue()
    private var deliveries = Slab<Delivery>()
    private var commands = Slab<SimulationCommand>()
    private var sequence: UInt64 = 0
    private var random: SeededRandom
    private let latencySalt: UInt64
    private let latencyBase: Int64
    private let latencySpan: UInt64

    static let basePort: UInt16 = 4000
    static let baseAddress: UInt32 = 0x0a00_0000

    init(configuration: SimulationConfiguration, random: SeededRandom) {
        self.configuration = configuration
        self.random = random
        self.latencySalt = self.random.next()
        self.latencyBase = Int64(configuration.latencyMilliseconds.lowerBound * 1e6)
        self.latencySpan = UInt64(max(0, (configuration.latencyMilliseconds.upperBound - configuration.latencyMilliseconds.lowerBound) * 1e6)) + 1
    }

    static func address(of index: Int32) -> NodeAddress {
        NodeAddress(ipv4: baseAddress + UInt32(index), port: basePort)
    }

    func index(of address: NodeAddress) -> Int32? {
        guard case .ipv4(let value) = address.host, address.port == Self.basePort, value >= Self.baseAddress else { return nil }
        let index = Int(value - Self.baseAddress)
        return index < nodes.count ? Int32(index) : nil
    }

    var instant: DHTInstant { DHTInstant(nanoseconds: now) }
    var isIdle: Bool { queue.isEmpty }

    /// Adds a node with `id`; it is alive from now on. Returns its index.
    mutating func addNode(id: NodeID) -> Int32 {
        let index = Int32(nodes.count)
        let instance = KademliaInstance(localID: id, configuration: configuration.kademlia, seed: random.next(), now: instant)
        let first = instance.start(now: instant)
        nodes.append(instance)
        alive.append(true)
        _ = apply(first, from: index)
        return index
    }

    /// The node leaves without notice.
    mutating func kill(_ index: Int32) {
        alive[Int(index)] = false
    }

    /// Schedules a command for `node` at virtual time `time` (nanoseconds).
    mutating func schedule(_ command: SimulationCommand, on node: Int32, at time: Int64) {
        push(time, .command, node: node, payload: commands.insert(command))
    }

    /// The command a ``SimulationEvent/Kind/command`` event carries.
    mutating func takeCommand(_ event: SimulationEvent) -> SimulationCommand? {
        commands.remove(event.payload)
    }

    /// Calls `body` with node `node`'s instance and the current instant (to start an operation on it).
    mutating func withNode<Result>(_ node: Int32, _ body: (inout KademliaInstance, DHTInstant) -> Result) -> Result {
        body(&nodes[Int(node)], instant)
    }

    /// Pops the next event, advances the clock, and hands it over; `nil` when nothing is left.
    mutating func nextEvent() -> SimulationEvent? {
        guard let event = queue.popMin() else { return nil }
        now = event.time
        return event
    }

    /// Feeds a delivery, timeout or tick to its node and returns the directives it produced.
    mutating func dispatch(_ event: SimulationEvent) -> (Int32, [KademliaDirective])? {
        let node = event.node
        switch event.kind {
        case .deliver:
            guard let delivery = deliveries.remove(event.payload), alive[Int(node)] else { return nil }
            return (node, nodes[Int(node)].handleMessage(delivery.message, from: Self.address(of: delivery.from), now: instant))
        case .timeout:
            guard alive[Int(node)] else { return nil }
            return (node, nodes[Int(node)].handleTimeout(TransactionID(rawValue: event.payload), now: instant))
        case .tick:
            guard alive[Int(node)] else { return nil }
            return (node, nodes[Int(node)].tick(now: instant))
        case .command:
            return nil
        }
    }

    /// Carries out a node's directives, except completions, which it returns.
    mutating func apply(_ directives: [KademliaDirective], from node: Int32) -> [(OperationID, OperationResult)] {
        var completions: [(OperationID, OperationResult)] = []
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                datagrams += 1
                guard let destination = index(of: address) else { continue }
                if configuration.loss > 0, Double(random.next() >> 11) / Double(1 << 53) < configuration.loss {
                    datagramsLost += 1
                    continue
                }
                let slot = deliveries.insert(Delivery(from: node, message: message))
                push(now + latency(node, destination), .deliver, node: destination, payload: slot)
            case .scheduleTimeout(let transaction, let at):
                push(at.nanoseconds, .timeout, node: node, payload: transaction.rawValue)
            case .scheduleTick(let at):
                push(at.nanoseconds, .tick, node: node, payload: 0)
            case .completed(let id, let result):
                completions.append((id, result))
            }
        }
        return completions
    }

    /// The one-way latency of the link between two nodes, in nanoseconds; the same in both directions.
    func latency(_ a: Int32, _ b: Int32) -> Int64 {
        let low = UInt64(UInt32(bitPattern: min(a, b)))
        let high = UInt64(UInt32(bitPattern: max(a, b)))
        var z = (low << 32 | high) ^ latencySalt
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return latencyBase + Int64(z % latencySpan)
    }

    private mutating func push(_ time: Int64, _ kind: SimulationEvent.Kind, node: Int32, payload: UInt64) {
        sequence += 1
        queue.insert(SimulationEvent(time: max(time, now), sequence: sequence, payload: payload, node: node, kind: kind))
    }
}
