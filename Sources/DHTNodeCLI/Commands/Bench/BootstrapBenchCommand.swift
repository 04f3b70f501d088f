import ArgumentParser
import DHTCrypto
import DHTDaemon
import DHTNode
import Foundation
import Kademlia

/// `dhtnode bench bootstrap`: many client nodes in this process fill a bootstrap node's routing table (another
/// process, `dhtnode run --bootstrap-node`), then many of them look up at once; reports what the bootstrap node
/// holds, answers and costs.
struct BootstrapBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Fill a bootstrap node's table from many client nodes, run lookups from many at once, report its memory.",
        discussion: """
            Each client is a Node of its own with its own UDP socket, on its own loopback address (127.1.0.1, \
            127.1.0.2, …, so that per-source limits and the routing table treat them as different hosts). Clients \
            start BATCH at a time and ping the bootstrap node, which verifies them and takes them into its table; \
            every client pings once more when all have started (a verification the node skipped while busy is \
            retried, as a real client's next request would). Then LOOKUP-NODES clients each start one FIND_NODE \
            lookup of a random ID at the same moment (or spread over --lookup-seconds); each result is compared with the true 20 closest of all \
            clients. The bootstrap node's contacts and answers come from its control API (--target-data), its \
            memory and CPU time from /proc.
            """
    )

    @Option(help: "The bootstrap node, ADDR:PORT.")
    var target: String

    @Option(name: .customLong("target-data"), help: "The bootstrap node's data directory (for its control API).")
    var targetData: String

    @Option(help: "Client nodes that join the bootstrap node.")
    var clients: Int = 10_000

    @Option(name: .customLong("lookup-nodes"), help: "Clients that each start a lookup at the same moment.")
    var lookupNodes: Int = 1_000

    @Option(
        name: .customLong("lookup-seconds"),
        help: "Spread the lookups' starts evenly over this many seconds (0: all at the same moment)."
    )
    var lookupSeconds: Double = 0

    @Option(help: "Clients that start and ping at once.")
    var batch: Int = 50

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (1...60_000).contains(clients) else { throw ValidationError("--clients must be in 1...60000") }
        guard (1...clients).contains(lookupNodes) else { throw ValidationError("--lookup-nodes must be in 1...clients") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard lookupSeconds >= 0 else { throw ValidationError("--lookup-seconds must not be negative") }
    }

    func run() async throws {
        let targetAddress: NodeAddress
        do { targetAddress = try NodeAddress(parsing: target) } catch {
            throw ValidationError("--target: \(error)")
        }
        try FileDescriptorLimit.raise(atLeast: clients + 1024)
        let api = try ControlClient(dataDirectory: DataDirectory(path: targetData))
        let pid = api.endpoint.pid
        let before = try await api.statistics()
        let residentBefore = ProcessMemory.residentBytes(pid: pid) ?? 0
        let cpuBefore = ProcessCPUTime.of(pid: pid) ?? .zero

        // Phase 1: clients start and ping the bootstrap node, a batch at a time.
        let started = ContinuousClock.now
        var nodes: [Node] = []
        nodes.reserveCapacity(clients)
        var pingFailures = 0
        while nodes.count < clients {
            let batch = (nodes.count..<min(nodes.count + self.batch, clients)).map { index in
                Node(configuration: SwarmBenchCommand.configuration(address: Self.clientAddress(index), bootstrap: []))
            }
            pingFailures += await Self.pingAll(batch, target: targetAddress, starting: true)
            nodes += batch
        }
        let secondRound = await Self.pingAll(nodes, target: targetAddress, starting: false, concurrency: self.batch)
        let joined = ContinuousClock.now - started
        let afterJoin = try await api.statistics()

        // Phase 2: lookups from many clients at the same moment.
        let ids = nodes.map(\.id) + [try NodeID(hex: try await api.info().id)]
        let searchers = Array(nodes.prefix(lookupNodes))
        let lookupsStarted = ContinuousClock.now
        // Each lookup returns what it found; the true closest are worked out after all of them ended, so that
        // sorting 10,000 IDs per lookup does not take the CPU the lookups still running are timed on.
        typealias Sample = (latency: Duration, searcher: NodeID, target: NodeID, found: [NodeID]?)
        let samples = await withTaskGroup(of: Sample.self) { group in
            let spread = lookupSeconds
            for (index, searcher) in searchers.enumerated() {
                group.addTask {
                    if spread > 0 {
                        try? await Task.sleep(for: .seconds(spread * Double(index) / Double(searchers.count)))
                    }
                    var generator = SystemRandomNumberGenerator()
                    let target = NodeID.random(using: &generator)
                    let begin = ContinuousClock.now
                    let result = try? await searcher.findNode(target)
                    return (ContinuousClock.now - begin, searcher.id, target, result?.closest.map(\.id))
                }
            }
            var all: [Sample] = []
            for await sample in group { all.append(sample) }
            return all
        }
        let lookupsTook = ContinuousClock.now - lookupsStarted
        let after = try await api.statistics()
        await api.close()
        let resident = ProcessMemory.residentBytes(pid: pid) ?? 0
        let peak = ProcessMemory.peakResidentBytes(pid: pid) ?? 0
        let cpu = (ProcessCPUTime.of(pid: pid) ?? .zero) - cpuBefore
        await withTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { await node.stop() } }
        }

        let succeeded = samples.filter { $0.found != nil }
        let exact = succeeded.filter { sample in
            let truth = ids.filter { $0 != sample.searcher }
                .sorted { $0.distance(to: sample.target) < $1.distance(to: sample.target) }.prefix(20)
            return Array(truth) == sample.found
        }.count
        let latencies = succeeded.map(\.latency).sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))].milliseconds
        }
        let report = BootstrapBenchReport(
            clients: clients,
            pingFailures: pingFailures,
            secondRoundPingFailures: secondRound,
            joinSeconds: joined.seconds,
            contactsBefore: before.routingTableSize,
            contactsAfterJoin: afterJoin.routingTableSize,
            contactsAtEnd: after.routingTableSize,
            requestsAnsweredDuringJoin: afterJoin.requestsAnswered - before.requestsAnswered,
            requestsAnsweredDuringLookups: after.requestsAnswered - afterJoin.requestsAnswered,
            droppedDuringRun: after.dropped.values.reduce(0, +) - before.dropped.values.reduce(0, +),
            lookups: samples.count,
            lookupsSucceeded: succeeded.count,
            exactFraction: Double(exact) / Double(max(1, samples.count)),
            lookupsSeconds: lookupsTook.seconds,
            latencyP50Milliseconds: percentile(0.5),
            latencyP99Milliseconds: percentile(0.99),
            targetResidentBytesBefore: residentBefore,
            targetResidentBytes: resident,
            targetPeakResidentBytes: peak,
            targetCPUSeconds: cpu.seconds
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }

    /// Starts (when `starting`) and pings the target from every node, `concurrency` at a time; returns the failures.
    static func pingAll(_ nodes: [Node], target: NodeAddress, starting: Bool, concurrency: Int = .max) async -> Int {
        var failures = 0
        var index = 0
        while index < nodes.count {
            let slice = nodes[index..<min(index + concurrency, nodes.count)]
            index += slice.count
            failures += await withTaskGroup(of: Int.self) { group in
                for node in slice {
                    group.addTask {
                        do {
                            if starting { try await node.start() }
                            return try await node.ping(target) == nil ? 1 : 0
                        } catch {
                            return 1
                        }
                    }
                }
                return await group.reduce(0, +)
            }
        }
        return failures
    }

    /// Client `index`'s address: 127.1.0.1, 127.1.0.2, … (last byte 1...254).
    static func clientAddress(_ index: Int) -> NodeAddress {
        let host = UInt32(index / 254)
        let ip: UInt32 = 0x7f01_0000 &+ (host << 8) &+ UInt32(index % 254 + 1)
        return NodeAddress(ipv4: ip, port: 0)
    }
}

/// What `dhtnode bench bootstrap` measured.
struct BootstrapBenchReport: Codable {
    var clients: Int
    var pingFailures: Int
    var secondRoundPingFailures: Int
    var joinSeconds: Double
    var contactsBefore: Int
    var contactsAfterJoin: Int
    var contactsAtEnd: Int
    var requestsAnsweredDuringJoin: Int
    var requestsAnsweredDuringLookups: Int
    var droppedDuringRun: Int
    var lookups: Int
    var lookupsSucceeded: Int
    var exactFraction: Double
    var lookupsSeconds: Double
    var latencyP50Milliseconds: Double
    var latencyP99Milliseconds: Double
    var targetResidentBytesBefore: Int
    var targetResidentBytes: Int
    var targetPeakResidentBytes: Int
    var targetCPUSeconds: Double

    var table: String {
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        return """
            clients                   \(clients) (ping failures: \(pingFailures), then \(secondRoundPingFailures); \
            \(String(format: "%.1f", joinSeconds)) s)
            bootstrap node contacts   \(contactsBefore) before, \(contactsAfterJoin) after the joins, \(contactsAtEnd) at the end
            requests it answered      \(requestsAnsweredDuringJoin) during the joins, \(requestsAnsweredDuringLookups) during the lookups (dropped: \(droppedDuringRun))
            lookups                   \(lookupsSucceeded) of \(lookups) succeeded in \(String(format: "%.2f", lookupsSeconds)) s, \
            exact 20 closest: \(String(format: "%.4f", exactFraction))
            latency p50 / p99         \(String(format: "%.1f", latencyP50Milliseconds)) ms / \(String(format: "%.1f", latencyP99Milliseconds)) ms
            bootstrap node memory     \(mib(targetResidentBytes)) resident (\(mib(targetResidentBytesBefore)) before, peak \(mib(targetPeakResidentBytes)))
            bootstrap node CPU        \(String(format: "%.1f", targetCPUSeconds)) s
            """
    }
}
