import Dispatch
import Kademlia

/// The world of a simulation: every node's ``KademliaInstance`` under a virtual clock, split among partitions that
/// run in parallel.
///
/// Datagrams take the latency of their link (drawn once per pair of nodes from the configured range, the same in
/// both directions) and are lost with the configured probability. A node that left receives nothing and its timers
/// are ignored.
///
/// Parallelism is conservative: every datagram takes at least the smallest link latency L, so events in a window
/// `[T, T + L)` cannot affect another partition within the window. Each partition runs the window on its own
/// thread; datagrams between partitions are handed over after it. Events are ordered by (time, origin node,
/// origin's event count) and loss is a hash of the same key, so a run gives the same result with any number of
/// partitions.
struct SimulatedNetwork {
    let configuration: SimulationConfiguration
    let partitions: [NetworkPartition]
    private let lookahead: Int64
    private var commandSequence: UInt32 = 0
    private(set) var nodeCount = 0
    /// The time of the last event run (virtual nanoseconds).
    private(set) var now: Int64 = 0

    static func address(of node: Int32) -> NodeAddress { NetworkPartition.address(of: node) }

    /// - Parameters:
    ///   - threads: partitions run in parallel; 1 runs everything on the calling thread. A latency range starting
    ///     at 0 ms leaves no room for parallel windows, and runs on one partition.
    init(configuration: SimulationConfiguration, workload: Workload, threads: Int, random: inout SeededRandom) {
        self.configuration = configuration
        lookahead = Int64(configuration.latencyMilliseconds.lowerBound * 1e6)
        let count = lookahead > 0 ? max(1, threads) : 1
        let lossSalt = random.next()
        let latencySalt = random.next()
        partitions = (0..<count).map {
            NetworkPartition(
                index: $0,
                partitionCount: count,
                configuration: configuration,
                workload: workload,
                lossSalt: lossSalt,
                latencySalt: latencySalt
            )
        }
    }

    private func partition(of node: Int32) -> NetworkPartition { partitions[Int(node) % partitions.count] }

    func instance(_ node: Int32) -> KademliaInstance { partition(of: node).instance(node) }
    func isAlive(_ node: Int32) -> Bool { partition(of: node).isAlive(node) }
    func kill(_ node: Int32) { partition(of: node).kill(node) }
    var datagrams: Int { partitions.reduce(0) { $0 + $1.datagrams } }
    var datagramsLost: Int { partitions.reduce(0) { $0 + $1.datagramsLost } }

    /// Schedules a command for `node` at virtual time `time` (nanoseconds). A `.join` adds the next node.
    mutating func schedule(_ command: SimulationCommand, on node: Int32, at time: Int64) {
        commandSequence += 1
        if case .join = command { nodeCount = max(nodeCount, Int(node) + 1) }
        partition(of: node).schedule(command, on: node, at: time, sequence: commandSequence)
    }

    /// Runs one window of virtual time on every partition; returns the operations started and ended in it, in a
    /// deterministic order, or `nil` when no event is left.
    mutating func runWindow() -> (commandsRun: Int, started: [StartedOperation], completed: [CompletedOperation])? {
        guard let start = partitions.compactMap(\.nextEventTime).min() else { return nil }
        // The same windows whatever the partition count, so phases end at the same instants.
        let end = start + max(lookahead, 1)
        if partitions.count == 1 {
            partitions[0].runWindow(until: end)
        } else {
            let partitions = self.partitions
            DispatchQueue.concurrentPerform(iterations: partitions.count) { index in
                partitions[index].runWindow(until: end)
            }
        }
        var started: [StartedOperation] = []
        var completed: [CompletedOperation] = []
        var commandsRun = 0
        for partition in partitions {
            commandsRun += partition.commandsRun
            partition.commandsRun = 0
            for (destination, crossing) in partition.outbox.enumerated() where !crossing.isEmpty {
                for item in crossing { partitions[destination].accept(item) }
                partition.outbox[destination].removeAll(keepingCapacity: true)
            }
            started.append(contentsOf: partition.started)
            completed.append(contentsOf: partition.completed)
            partition.started.removeAll(keepingCapacity: true)
            partition.completed.removeAll(keepingCapacity: true)
            now = max(now, partition.now)
        }
        started.sort { ($0.time, $0.node, $0.operation.rawValue) < ($1.time, $1.node, $1.operation.rawValue) }
        completed.sort { ($0.time, $0.node, $0.operation.rawValue) < ($1.time, $1.node, $1.operation.rawValue) }
        return (commandsRun, started, completed)
    }
}
