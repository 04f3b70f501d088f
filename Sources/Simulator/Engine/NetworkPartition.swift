import Kademlia

/// The values and keys of a scenario, shared read-only by every partition.
struct Workload: Sendable {
    var keys: [RecordKey]
    var values: [[UInt8]]
    /// The routing keys of the scenario's mutable records (names).
    var routingKeys: [[UInt8]]
}

/// What a partition reports about an operation it started.
struct StartedOperation: Sendable {
    enum Kind: Sendable {
        case join
        case selfLookup
        case lookup
        case put(index: Int)
        case get(index: Int)
        case putRecord(index: Int)
        case getRecord(index: Int)
    }

    var node: Int32
    var operation: OperationID
    var kind: Kind
    var time: Int64
}

/// What a partition reports about an operation that ended.
struct CompletedOperation: Sendable {
    var node: Int32
    var operation: OperationID
    var result: OperationResult
    var time: Int64
}

/// A datagram for a node of another partition, handed over between windows.
struct CrossDelivery: Sendable {
    var event: SimulationEvent
    var delivery: Delivery
}

/// One share of the simulated nodes (those whose index ≡ `index` mod `partitionCount`), with its own event queue.
///
/// A class, and `@unchecked Sendable`, because partitions run concurrently — one thread per partition per window,
/// handed out by `DispatchQueue.concurrentPerform` — and must not be copied: each holds thousands of
/// `KademliaInstance`s. No two threads touch one partition at once: the coordinator mutates partitions only
/// between windows, and during a window each thread touches only its own partition; the join of
/// `concurrentPerform` orders the two.
final class NetworkPartition: @unchecked Sendable {
    let index: Int
    let partitionCount: Int
    let configuration: SimulationConfiguration
    let workload: Workload
    private(set) var nodes: [KademliaInstance] = []
    private(set) var alive: [Bool] = []
    /// Whether each node is behind a NAT (a DHT client, unreachable by requests).
    private var privateNodes: [Bool] = []
    private var createdEvents: [UInt32] = []
    /// Per local node, the number of the last tick it asked for: a `scheduleTick` replaces the one before it (as
    /// the directive says), so a tick event that is not the latest is dropped when it comes due.
    private var tickRequests: [UInt64] = []
    private var queue = CalendarQueue()
    private var deliveries = Slab<Delivery>()
    private var commands = Slab<SimulationCommand>()
    private let lossSalt: UInt64
    private let latencySalt: UInt64
    private let latencyBase: Int64
    private let latencySpan: UInt64

    private(set) var now: Int64 = 0
    private(set) var datagrams = 0
    private(set) var datagramsLost = 0
    /// Filled during a window; emptied by the coordinator after it.
    var outbox: [[CrossDelivery]]
    var started: [StartedOperation] = []
    /// Commands taken from the queue in the current window (started or not: a node that left starts nothing).
    var commandsRun = 0
    var completed: [CompletedOperation] = []

    static let basePort: UInt16 = 4000
    static let baseAddress: UInt32 = 0x0a00_0000

    init(
        index: Int,
        partitionCount: Int,
        configuration: SimulationConfiguration,
        workload: Workload,
        lossSalt: UInt64,
        latencySalt: UInt64
    ) {
        self.index = index
        self.partitionCount = partitionCount
        self.configuration = configuration
        self.workload = workload
        self.lossSalt = lossSalt
        self.latencySalt = latencySalt
        self.latencyBase = Int64(configuration.latencyMilliseconds.lowerBound * 1e6)
        self.latencySpan =
            UInt64(
                max(
                    0,
                    (configuration.latencyMilliseconds.upperBound - configuration.latencyMilliseconds.lowerBound) * 1e6
                )
            ) + 1
        self.outbox = Array(repeating: [], count: partitionCount)
    }

    /// Node `i` listens on `10.0.0.0 + i`, port 4000.
    static func address(of node: Int32) -> NodeAddress {
        NodeAddress(ipv4: baseAddress + UInt32(node), port: basePort)
    }

    static func node(at address: NodeAddress) -> Int32? {
        guard case .ipv4(let value) = address.host, address.port == basePort, value >= baseAddress else { return nil }
        let node = value - baseAddress
        return node <= UInt32(Int32.max) ? Int32(node) : nil
    }

    func owns(_ node: Int32) -> Bool { Int(node) % partitionCount == index }
    private func local(_ node: Int32) -> Int { Int(node) / partitionCount }
    private func global(_ local: Int) -> Int32 { Int32(local * partitionCount + index) }

    /// The instance of `node`, which this partition owns and which has joined.
    func instance(_ node: Int32) -> KademliaInstance { nodes[local(node)] }
    func isAlive(_ node: Int32) -> Bool { local(node) < alive.count && alive[local(node)] }
    func kill(_ node: Int32) { alive[local(node)] = false }
    var liveCount: Int { alive.lazy.filter { $0 }.count }
    var nextEventTime: Int64? { queue.isEmpty ? nil : queue.minimumTime }

    /// Schedules a command of the scenario (`sequence` orders commands at the same instant).
    func schedule(_ command: SimulationCommand, on node: Int32, at time: Int64, sequence: UInt32) {
        queue.insert(
            SimulationEvent(
                time: time,
                origin: -1,
                originSequence: sequence,
                payload: commands.insert(command),
                node: node,
                kind: .command
            )
        )
    }

    /// Takes a datagram from another partition.
    func accept(_ cross: CrossDelivery) {
        var event = cross.event
        event.payload = deliveries.insert(cross.delivery)
        queue.insert(event)
    }

    /// Runs every event before `end` (nanoseconds), including those the window itself creates for this
    /// partition's nodes. Datagrams for other partitions go to `outbox`; they arrive at or after `end`.
    func runWindow(until end: Int64) {
        while let time = queue.minimumTime, time < end, let event = queue.popMin() {
            now = event.time
            let node = event.node
            let directives: [KademliaDirective]
            switch event.kind {
            case .deliver:
                guard let delivery = deliveries.remove(event.payload), isAlive(node) else { continue }
                // A private node sits behind a NAT: only answers to its own requests get through.
                if privateNodes[local(node)], case .request = delivery.message.body { continue }
                directives = nodes[local(node)].handleMessage(
                    delivery.message,
                    from: Self.address(of: delivery.from),
                    now: DHTInstant(nanoseconds: now)
                )
            case .timeout:
                guard isAlive(node) else { continue }
                directives = nodes[local(node)].handleTimeout(
                    TransactionID(rawValue: event.payload),
                    now: DHTInstant(nanoseconds: now)
                )
            case .tick:
                guard isAlive(node), event.payload == tickRequests[local(node)] else { continue }
                directives = nodes[local(node)].tick(now: DHTInstant(nanoseconds: now))
            case .command:
                commandsRun += 1
                guard let command = commands.remove(event.payload), let produced = start(command, on: node) else {
                    continue
                }
                directives = produced
            }
            apply(directives, from: node)
        }
    }

    private func start(_ command: SimulationCommand, on node: Int32) -> [KademliaDirective]? {
        let instant = DHTInstant(nanoseconds: now)
        let result: (OperationID, [KademliaDirective])
        let kind: StartedOperation.Kind
        switch command {
        case .join(let id, let seed, let seeds, let isPrivate):
            precondition(local(node) == nodes.count, "joins run in index order within a partition")
            var kademlia = configuration.kademlia
            if isPrivate { kademlia.reachability.assumedStatus = .private }
            privateNodes.append(isPrivate)
            let instance = KademliaInstance(
                localID: id,
                configuration: kademlia,
                recordValidator: SimulatedRecordValidator(),
                seed: seed,
                now: instant
            )
            nodes.append(instance)
            alive.append(true)
            createdEvents.append(0)
            tickRequests.append(0)
            apply(instance.start(now: instant), from: node)
            result = nodes[local(node)].bootstrap(from: seeds.map(Self.address(of:)), now: instant)
            kind = .join
        case .selfLookup:
            guard isAlive(node) else { return nil }
            if nodes[local(node)].routingTable.count == 0 {
                // Its bootstrap failed (every answer lost): join again, as its maintenance tick would.
                result = nodes[local(node)].bootstrap(from: [], now: instant)
            } else {
                let own = nodes[local(node)].localID
                result = nodes[local(node)].findNode(own, now: instant)
            }
            kind = .selfLookup
        case .findNode(let target):
            guard isAlive(node) else { return nil }
            result = nodes[local(node)].findNode(target, now: instant)
            kind = .lookup
        case .put(let index):
            guard isAlive(node) else { return nil }
            result = nodes[local(node)].put(workload.keys[index], value: workload.values[index], now: instant)
            kind = .put(index: index)
        case .get(let index):
            guard isAlive(node) else { return nil }
            result = nodes[local(node)].findValue(workload.keys[index], now: instant)
            kind = .get(index: index)
        case .putRecord(let index, let sequence):
            guard isAlive(node) else { return nil }
            let record = SimulatedRecordValidator.record(workload.routingKeys[index], sequence: sequence)
            result = nodes[local(node)].putRecord(record, now: instant)
            kind = .putRecord(index: index)
        case .getRecord(let index):
            guard isAlive(node) else { return nil }
            result = nodes[local(node)].getRecord(workload.routingKeys[index], now: instant)
            kind = .getRecord(index: index)
        }
        started.append(StartedOperation(node: node, operation: result.0, kind: kind, time: now))
        return result.1
    }

    private func apply(_ directives: [KademliaDirective], from node: Int32) {
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                datagrams += 1
                let sequence = nextSequence(of: node)
                guard let destination = Self.node(at: address) else { continue }
                if configuration.loss > 0, isLost(origin: node, sequence: sequence) {
                    datagramsLost += 1
                    continue
                }
                let event = SimulationEvent(
                    time: now + latency(node, destination),
                    origin: node,
                    originSequence: sequence,
                    payload: 0,
                    node: destination,
                    kind: .deliver
                )
                let delivery = Delivery(from: node, message: message)
                if owns(destination) {
                    accept(CrossDelivery(event: event, delivery: delivery))
                } else {
                    outbox[Int(destination) % partitionCount].append(CrossDelivery(event: event, delivery: delivery))
                }
            case .scheduleTimeout(let transaction, let at):
                queue.insert(
                    SimulationEvent(
                        time: max(at.nanoseconds, now),
                        origin: node,
                        originSequence: nextSequence(of: node),
                        payload: transaction.rawValue,
                        node: node,
                        kind: .timeout
                    )
                )
            case .scheduleTick(let at):
                tickRequests[local(node)] &+= 1
                queue.insert(
                    SimulationEvent(
                        time: max(at.nanoseconds, now),
                        origin: node,
                        originSequence: nextSequence(of: node),
                        payload: tickRequests[local(node)],
                        node: node,
                        kind: .tick
                    )
                )
            case .providersFound:
                break
            case .completed(let operation, let result):
                completed.append(CompletedOperation(node: node, operation: operation, result: result, time: now))
            }
        }
    }

    private func nextSequence(of node: Int32) -> UInt32 {
        let position = local(node)
        createdEvents[position] &+= 1
        return createdEvents[position]
    }

    /// Whether the datagram that `origin` sends as its `sequence`-th event is lost: a hash of the two, so the
    /// answer does not depend on which thread runs the node.
    private func isLost(origin: Int32, sequence: UInt32) -> Bool {
        let z = Self.mix(UInt64(UInt32(bitPattern: origin)) << 32 | UInt64(sequence), salt: lossSalt)
        return Double(z >> 11) / Double(1 << 53) < configuration.loss
    }

    /// The one-way latency between two nodes in nanoseconds, drawn once per pair: the same in both directions.
    func latency(_ a: Int32, _ b: Int32) -> Int64 {
        let low = UInt64(UInt32(bitPattern: min(a, b)))
        let high = UInt64(UInt32(bitPattern: max(a, b)))
        return latencyBase + Int64(Self.mix(low << 32 | high, salt: latencySalt) % latencySpan)
    }

    private static func mix(_ value: UInt64, salt: UInt64) -> UInt64 {
        var z = value ^ salt
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
