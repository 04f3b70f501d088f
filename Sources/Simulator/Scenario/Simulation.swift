import Kademlia

/// A deterministic simulation of a Kademlia network: the same ``KademliaInstance`` the daemon runs, under a
/// virtual clock, at up to hundreds of thousands of nodes.
///
/// The scenario, each phase running until its operations complete:
/// 1. `nodes` nodes join one after another (``SimulationConfiguration/joinSpacing`` apart), each bootstrapping
///    from a random node that joined before it.
/// 2. `lookups` random values are stored, each from a random node.
/// 3. Churn: a fraction of the nodes leave without notice; as many new nodes join.
/// 4. `lookups` FIND_NODE lookups of random IDs from random live nodes, scored against the true k closest live
///    nodes.
/// 5. A FIND_VALUE for each stored value from a random live node.
///
/// The same configuration and seed give the same report, byte for byte (wall time and memory aside).
public struct Simulation {
    /// The configuration of the run.
    public let configuration: SimulationConfiguration

    /// Prepares a run.
    public init(configuration: SimulationConfiguration) {
        self.configuration = configuration
    }

    private struct Tracked {
        enum Kind {
            case join
            case lookup
            case put(index: Int)
            case get(index: Int)
        }

        var kind: Kind
        var startedAt: Int64
    }

    private struct TrackedKey: Hashable {
        var node: Int32
        var operation: OperationID
    }

    private struct LookupSample {
        var initiator: Int32
        var result: LookupResult
        var milliseconds: Double
    }

    /// Runs the scenario and reports what it measured; `progress` is told when each phase starts.
    public func run(progress: (String) -> Void = { _ in }) -> SimulationReport {
        var random = SeededRandom(seed: configuration.seed)
        var network = SimulatedNetwork(configuration: configuration, random: random.split())
        var tracked: [TrackedKey: Tracked] = [:]
        var lookupSamples: [LookupSample] = []
        var storedReplicas: [Int] = []
        var gets: [Bool] = []
        var joinMessages = 0

        let valueCount = configuration.lookups
        var keys: [RecordKey] = []
        var values: [[UInt8]] = []
        for _ in 0..<valueCount {
            keys.append(NodeID.random(using: &random))
            values.append((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
        }

        // Commands scheduled but not yet started; with `tracked`, what `drain` waits for.
        var pendingCommands = 0

        // Runs events until every scheduled command started and every operation it started completed.
        func drain() {
            while pendingCommands > 0 || !tracked.isEmpty, let event = network.nextEvent() {
                let produced: (Int32, [KademliaDirective])?
                if event.kind == .command {
                    pendingCommands -= 1
                    produced = network.takeCommand(event).flatMap { start($0, on: event.node) }
                } else {
                    produced = network.dispatch(event)
                }
                guard let (node, directives) = produced else { continue }
                for (operation, result) in network.apply(directives, from: node) {
                    finish(TrackedKey(node: node, operation: operation), result)
                }
            }
        }

        func start(_ command: SimulationCommand, on node: Int32) -> (Int32, [KademliaDirective])? {
            let now = network.now
            let started: (OperationID, [KademliaDirective])
            let kind: Tracked.Kind
            switch command {
            case .join(let seeds):
                let index = network.addNode(id: NodeID.random(using: &random))
                precondition(index == node, "joins are scheduled in index order")
                let addresses = seeds.map(SimulatedNetwork.address(of:))
                started = network.withNode(node) { $0.bootstrap(from: addresses, now: $1) }
                kind = .join
            case .selfLookup:
                guard network.alive[Int(node)] else { return nil }
                started = network.withNode(node) { instance, now in instance.findNode(instance.localID, now: now) }
                kind = .join
            case .findNode(let target):
                guard network.alive[Int(node)] else { return nil }
                started = network.withNode(node) { $0.findNode(target, now: $1) }
                kind = .lookup
            case .put(let index):
                guard network.alive[Int(node)] else { return nil }
                started = network.withNode(node) { $0.put(keys[index], value: values[index], now: $1) }
                kind = .put(index: index)
            case .get(let index):
                guard network.alive[Int(node)] else { return nil }
                started = network.withNode(node) { $0.findValue(keys[index], now: $1) }
                kind = .get(index: index)
            }
            tracked[TrackedKey(node: node, operation: started.0)] = Tracked(kind: kind, startedAt: now)
            return (node, started.1)
        }

        func finish(_ key: TrackedKey, _ result: OperationResult) {
            guard let entry = tracked.removeValue(forKey: key) else { return }
            let milliseconds = Double(network.now - entry.startedAt) / 1e6
            switch (entry.kind, result) {
            case (.join, .bootstrap(_, let lookup)):
                joinMessages += lookup?.messagesSent ?? 0
            case (.join, .lookup):
                break
            case (.lookup, .lookup(let result)):
                lookupSamples.append(LookupSample(initiator: key.node, result: result, milliseconds: milliseconds))
            case (.put, .published(_, let accepted, _)):
                storedReplicas.append(accepted)
            case (.get(let index), .lookup(let result)):
                gets.append(result.values.contains { $0.data == values[index] })
            default:
                break
            }
        }

        func randomLiveNode() -> Int32 {
            while true {
                let candidate = Int32(Int.random(in: 0..<network.nodes.count, using: &random))
                if network.alive[Int(candidate)] { return candidate }
            }
        }

        func scheduleJoins(_ count: Int) {
            let first = network.nodes.count
            let spacing = configuration.joinSpacing.nanosecondsClamped
            for offset in 0..<count {
                let index = Int32(first + offset)
                var seeds: [Int32] = []
                if index > 0 {
                    // A random live node that joined before (or the previous one in a fresh network).
                    var seed = Int32(Int.random(in: 0..<Int(index), using: &random))
                    var tries = 0
                    while seed < Int32(network.alive.count), !network.alive[Int(seed)], tries < 64 {
                        seed = Int32(Int.random(in: 0..<Int(index), using: &random))
                        tries += 1
                    }
                    seeds = [seed]
                }
                network.schedule(.join(seeds: seeds), on: index, at: network.now + Int64(offset) * spacing)
            }
            pendingCommands += count
        }

        func scheduleOperations(_ commands: [(Int32, SimulationCommand)]) {
            let spacing = configuration.operationSpacing.nanosecondsClamped
            for (offset, (node, command)) in commands.enumerated() {
                network.schedule(command, on: node, at: network.now + Int64(offset) * spacing)
            }
            pendingCommands += commands.count
        }

        progress("joining \(configuration.nodes) nodes")
        scheduleJoins(configuration.nodes)
        drain()
        let joinedNodes = configuration.nodes

        progress("settling: every node looks up its own ID once more")
        scheduleOperations((0..<Int32(network.nodes.count)).map { ($0, .selfLookup) })
        drain()

        progress("storing \(valueCount) values")
        scheduleOperations((0..<valueCount).map { (randomLiveNode(), .put(index: $0)) })
        drain()

        let leaving = Int((configuration.churn * Double(joinedNodes)).rounded())
        if leaving > 0 {
            progress("churn: \(leaving) nodes leave, \(leaving) join")
            var live = Array(0..<Int32(network.nodes.count))
            for position in 0..<leaving {
                let pick = Int.random(in: position..<live.count, using: &random)
                live.swapAt(position, pick)
                network.kill(live[position])
            }
            scheduleJoins(leaving)
            drain()
        }

        progress("running \(configuration.lookups) lookups")
        var commands: [(Int32, SimulationCommand)] = []
        for _ in 0..<configuration.lookups {
            commands.append((randomLiveNode(), .findNode(NodeID.random(using: &random))))
        }
        scheduleOperations(commands)
        drain()

        progress("fetching \(valueCount) values")
        scheduleOperations((0..<valueCount).map { (randomLiveNode(), .get(index: $0)) })
        drain()

        progress("scoring")
        let k = configuration.kademlia.lookup.resultSize
        let liveIDs: [(Int32, NodeID)] = network.nodes.indices.compactMap {
            network.alive[$0] ? (Int32($0), network.nodes[$0].localID) : nil
        }
        var exact = 0
        for sample in lookupSamples {
            let truth = GroundTruth.closest(to: sample.result.target, among: liveIDs, count: k, excluding: sample.initiator)
            if Set(sample.result.closest.map(\.id)) == Set(truth) { exact += 1 }
        }
        let hops = Percentiles(lookupSamples.map { Double($0.result.hops) })
        let messages = Percentiles(lookupSamples.map { Double($0.result.messagesSent) })
        let times = Percentiles(lookupSamples.map(\.milliseconds))
        let rtt = configuration.meanRTTMilliseconds
        let tableSizes = liveIDs.map { Double(network.nodes[Int($0.0)].routingTable.count) }

        return SimulationReport(
            nodes: configuration.nodes,
            lookups: lookupSamples.count,
            loss: configuration.loss,
            churn: configuration.churn,
            latencyMs: "\(configuration.latencyMilliseconds.lowerBound)-\(configuration.latencyMilliseconds.upperBound)",
            seed: configuration.seed,
            exact: lookupSamples.isEmpty ? 0 : Double(exact) / Double(lookupSamples.count),
            hopsP50: hops.value(at: 0.5),
            hopsP99: hops.value(at: 0.99),
            messagesP50: messages.value(at: 0.5),
            messagesP99: messages.value(at: 0.99),
            timeMsP50: times.value(at: 0.5),
            timeMsP99: times.value(at: 0.99),
            timeRTTsP50: times.value(at: 0.5) / rtt,
            timeRTTsP99: times.value(at: 0.99) / rtt,
            found: gets.isEmpty ? 0 : Double(gets.filter { $0 }.count) / Double(gets.count),
            gets: gets.count,
            storedReplicasMean: Percentiles(storedReplicas.map(Double.init)).mean,
            joinMessagesPerNode: Double(joinMessages) / Double(max(1, joinedNodes + leaving)),
            routingTableSizeMean: Percentiles(tableSizes).mean,
            datagrams: network.datagrams,
            datagramsLost: network.datagramsLost,
            simulatedSeconds: Double(network.now) / 1e9,
            requests: network.nodes.reduce(0) { $0 + $1.statistics.requestsSent },
            requestTimeouts: network.nodes.reduce(0) { $0 + $1.statistics.timeouts })
    }
}
