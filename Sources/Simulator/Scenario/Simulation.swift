import Kademlia

/// A deterministic simulation of a Kademlia network: the same ``KademliaInstance`` the daemon runs, under a
/// virtual clock, at up to hundreds of thousands of nodes.
///
/// The scenario, each phase running until its operations complete:
/// 1. `nodes` nodes join one after another (``SimulationConfiguration/joinSpacing`` apart), each bootstrapping
///    from a random node that joined before it.
/// 2. Every node looks up its own ID once more (the periodic self-lookup that repairs a table built while the
///    network was small).
/// 3. `lookups` random values are stored, each from a random node.
/// 4. Churn: a fraction of the nodes leave without notice; as many new nodes join.
/// 5. `lookups` FIND_NODE lookups of random IDs from random live nodes, scored against the true k closest live
///    nodes.
/// 6. A FIND_VALUE for each stored value from a random live node.
/// 7. Names: as many mutable records as values were published (sequence 0) before the churn; after it, each is
///    published again (sequence 1) from a random live node, then resolved (GET_RECORD) from another, and scored on
///    whether the resolve returned sequence 1.
///
/// The same configuration and seed give the same report, whatever the number of threads (wall time and memory
/// aside).
public struct Simulation {
    /// The configuration of the run.
    public let configuration: SimulationConfiguration
    /// Threads that run the network (the partitions of the nodes).
    public let threads: Int

    /// Prepares a run on `threads` threads.
    public init(configuration: SimulationConfiguration, threads: Int = 1) {
        self.configuration = configuration
        self.threads = max(1, threads)
    }

    private struct TrackedKey: Hashable {
        var node: Int32
        var operation: OperationID
    }

    private struct Tracked {
        var kind: StartedOperation.Kind
        var startedAt: Int64
    }

    private struct LookupSample {
        var initiator: Int32
        var result: LookupResult
        var milliseconds: Double
    }

    /// Runs the scenario and reports what it measured; `progress` is told when each phase starts.
    public func run(progress: (String) -> Void = { _ in }) -> SimulationReport {
        var random = SeededRandom(seed: configuration.seed)
        let valueCount = configuration.lookups
        var keys: [RecordKey] = []
        var values: [[UInt8]] = []
        for _ in 0..<valueCount {
            keys.append(NodeID.random(using: &random))
            values.append((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        // 44 bytes, as the routing key of an Ed25519 IPNS name.
        let routingKeys = (0..<valueCount).map { _ in
            Array("/ipns/".utf8) + (0..<38).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        var network = SimulatedNetwork(
            configuration: configuration,
            workload: Workload(keys: keys, values: values, routingKeys: routingKeys),
            threads: threads,
            random: &random
        )

        var tracked: [TrackedKey: Tracked] = [:]
        var pendingCommands = 0
        var alive: [Bool] = []
        var isPrivate: [Bool] = []
        var lookupSamples: [LookupSample] = []
        var storedReplicas: [Int] = []
        var gets: [Bool] = []
        var joinMessages = 0
        var recordReplicas: [Int] = []
        var resolveSamples: [(resolution: RecordResolution, milliseconds: Double)] = []

        // Runs windows until every scheduled command started and every operation it started ended.
        func drain() {
            while pendingCommands > 0 || !tracked.isEmpty, let window = network.runWindow() {
                pendingCommands -= window.commandsRun
                for operation in window.started {
                    tracked[TrackedKey(node: operation.node, operation: operation.operation)] = Tracked(
                        kind: operation.kind,
                        startedAt: operation.time
                    )
                }
                for operation in window.completed {
                    finish(operation)
                }
            }
        }

        func finish(_ operation: CompletedOperation) {
            guard
                let entry = tracked.removeValue(
                    forKey: TrackedKey(node: operation.node, operation: operation.operation)
                )
            else { return }
            let milliseconds = Double(operation.time - entry.startedAt) / 1e6
            switch (entry.kind, operation.result) {
            case (.join, .bootstrap(_, let lookup)):
                joinMessages += lookup?.messagesSent ?? 0
            case (.lookup, .lookup(let result)):
                lookupSamples.append(
                    LookupSample(initiator: operation.node, result: result, milliseconds: milliseconds)
                )
            case (.put, .published(_, let accepted, _)):
                storedReplicas.append(accepted)
            case (.get(let index), .lookup(let result)):
                gets.append(result.values.contains { $0.data == values[index] })
            case (.putRecord, .published(_, let accepted, _)):
                recordReplicas.append(accepted)
            case (.getRecord, .resolved(let resolution)):
                resolveSamples.append((resolution, milliseconds))
            default:
                break
            }
        }

        func randomLiveNode() -> Int32 {
            while true {
                let candidate = Int.random(in: 0..<alive.count, using: &random)
                if alive[candidate] { return Int32(candidate) }
            }
        }

        func scheduleJoins(_ count: Int) {
            let first = alive.count
            let spacing = configuration.joinSpacing.nanosecondsClamped
            var joining: [Bool] = []
            for offset in 0..<count {
                let node = Int32(first + offset)
                let nodeIsPrivate =
                    node > 0 && configuration.privateShare > 0
                    && Double.random(in: 0..<1, using: &random) < configuration.privateShare
                joining.append(nodeIsPrivate)
                var seeds: [Int32] = []
                if node > 0 {
                    // A random live public node that joined before (a private one cannot be asked).
                    var seed = Int32(Int.random(in: 0..<Int(node), using: &random))
                    var tries = 0
                    func usable(_ seed: Int32) -> Bool {
                        let index = Int(seed)
                        if index >= first { return !joining[index - first] }
                        return alive[index] && !isPrivate[index]
                    }
                    while !usable(seed), tries < 256 {
                        seed = Int32(Int.random(in: 0..<Int(node), using: &random))
                        tries += 1
                    }
                    if !usable(seed) { seed = 0 }
                    seeds = [seed]
                }
                let command = SimulationCommand.join(
                    id: NodeID.random(using: &random),
                    seed: random.next(),
                    seeds: seeds,
                    isPrivate: nodeIsPrivate
                )
                network.schedule(command, on: node, at: network.now + Int64(offset) * spacing)
            }
            alive.append(contentsOf: repeatElement(true, count: count))
            isPrivate.append(contentsOf: joining)
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
        scheduleOperations((0..<Int32(alive.count)).map { ($0, .selfLookup) })
        drain()

        progress("storing \(valueCount) values")
        scheduleOperations((0..<valueCount).map { (randomLiveNode(), .put(index: $0)) })
        drain()

        progress("publishing \(valueCount) names")
        scheduleOperations((0..<valueCount).map { (randomLiveNode(), .putRecord(index: $0, sequence: 0)) })
        drain()

        let leaving = Int((configuration.churn * Double(joinedNodes)).rounded())
        if leaving > 0 {
            progress("churn: \(leaving) nodes leave, \(leaving) join")
            var live = Array(0..<Int32(alive.count))
            for position in 0..<leaving {
                let pick = Int.random(in: position..<live.count, using: &random)
                live.swapAt(position, pick)
                network.kill(live[position])
                alive[Int(live[position])] = false
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

        progress("updating and resolving \(valueCount) names")
        scheduleOperations((0..<valueCount).map { (randomLiveNode(), .putRecord(index: $0, sequence: 1)) })
        drain()
        let updateReplicas = recordReplicas.suffix(valueCount)
        scheduleOperations((0..<valueCount).map { (randomLiveNode(), .getRecord(index: $0)) })
        drain()

        progress("scoring")
        let k = configuration.kademlia.lookup.resultSize
        // What a lookup can find: the live public nodes (private ones are clients, in nobody's table).
        let liveIDs: [(Int32, NodeID)] = alive.indices.compactMap {
            alive[$0] && !isPrivate[$0] ? (Int32($0), network.instance(Int32($0)).localID) : nil
        }
        var exact = 0
        for sample in lookupSamples {
            let truth = GroundTruth.closest(
                to: sample.result.target,
                among: liveIDs,
                count: k,
                excluding: sample.initiator
            )
            if Set(sample.result.closest.map(\.id)) == Set(truth) { exact += 1 }
        }
        let hops = Percentiles(lookupSamples.map { Double($0.result.hops) })
        let messages = Percentiles(lookupSamples.map { Double($0.result.messagesSent) })
        let times = Percentiles(lookupSamples.map(\.milliseconds))
        let rtt = configuration.meanRTTMilliseconds
        var tableSizes: [Double] = []
        var requests = 0
        var timeouts = 0
        for index in alive.indices {
            let instance = network.instance(Int32(index))
            requests += instance.statistics.requestsSent
            timeouts += instance.statistics.timeouts
            if alive[index], !isPrivate[index] { tableSizes.append(Double(instance.routingTable.count)) }
        }

        return SimulationReport(
            nodes: configuration.nodes,
            lookups: lookupSamples.count,
            loss: configuration.loss,
            churn: configuration.churn,
            privateShare: configuration.privateShare,
            latencyMs:
                "\(configuration.latencyMilliseconds.lowerBound)-\(configuration.latencyMilliseconds.upperBound)",
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
            requests: requests,
            requestTimeouts: timeouts,
            names: NameReport(
                resolves: resolveSamples.count,
                newest: resolveSamples.isEmpty
                    ? 0
                    : Double(
                        resolveSamples.filter {
                            $0.resolution.record.flatMap { SimulatedRecordValidator.sequence(of: $0.bytes) } == 1
                        }.count) / Double(resolveSamples.count),
                replicasMean: Percentiles(updateReplicas.map(Double.init)).mean,
                messagesP50: Percentiles(resolveSamples.map { Double($0.resolution.lookup.messagesSent) }).value(at: 0.5),
                messagesP99: Percentiles(resolveSamples.map { Double($0.resolution.lookup.messagesSent) }).value(at: 0.99),
                timeMsP50: Percentiles(resolveSamples.map(\.milliseconds)).value(at: 0.5),
                timeMsP99: Percentiles(resolveSamples.map(\.milliseconds)).value(at: 0.99),
                timeRTTsP50: Percentiles(resolveSamples.map(\.milliseconds)).value(at: 0.5) / rtt,
                timeRTTsP99: Percentiles(resolveSamples.map(\.milliseconds)).value(at: 0.99) / rtt,
                validAnswersMean: Percentiles(resolveSamples.map { Double($0.resolution.validAnswers) }).mean,
                correctedMean: Percentiles(resolveSamples.map { Double($0.resolution.corrected) }).mean
            )
        )
    }
}
