import ArgumentParser
import DHTCrypto
import DHTNode
import Foundation
import Kademlia

/// `dhtnode bench swarm`: N nodes on 127.0.0.1 in this process, random lookups scored against the true k closest.
struct SwarmBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "Start N nodes on loopback UDP in this process and measure lookups and memory.",
        discussion: """
            The first node is the bootstrap node; the others join through it, a batch at a time. Once joined, \
            random nodes look up random IDs; each result is compared with the true 20 closest nodes.
            """
    )

    @Option(help: "Nodes to start.")
    var nodes: Int = 1000

    @Option(help: "FIND_NODE lookups to measure.")
    var lookups: Int = 1000

    @Option(help: "Lookups in flight at once.")
    var concurrency: Int = 8

    @Option(help: "Nodes that join at once.")
    var joinBatch: Int = 10

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard (2...20_000).contains(nodes) else { throw ValidationError("--nodes must be in 2...20000") }
        guard lookups >= 1 else { throw ValidationError("--lookups must be at least 1") }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be in 1...256") }
        guard joinBatch >= 1 else { throw ValidationError("--join-batch must be at least 1") }
    }

    func run() async throws {
        let residentBefore = ProcessMemory.residentBytes() ?? 0
        let started = ContinuousClock.now
        let seed = Node(configuration: Self.configuration(bootstrap: []))
        try await seed.start()
        var swarm = [seed]
        let seedAddress = seed.listeningAddresses[0]
        var joinFailures = 0
        while swarm.count < nodes {
            let batch = (0..<min(joinBatch, nodes - swarm.count)).map { _ in
                Node(configuration: Self.configuration(bootstrap: [seedAddress]))
            }
            joinFailures += await withTaskGroup(of: Int.self) { group in
                for node in batch {
                    group.addTask {
                        do {
                            try await node.start()
                            _ = try await node.bootstrap()
                            return 0
                        } catch {
                            return 1
                        }
                    }
                }
                return await group.reduce(0, +)
            }
            swarm += batch
        }
        let joined = ContinuousClock.now - started
        try await Task.sleep(for: .seconds(2))
        let resident = (ProcessMemory.residentBytes() ?? 0) - residentBefore

        let ids = swarm.map(\.id)
        let nodesSnapshot = swarm
        let lookupCount = lookups
        let workers = concurrency
        let samples: [(latency: Duration, messages: Int, exact: Bool)] = await withTaskGroup(
            of: [(Duration, Int, Bool)].self
        ) { group in
            for worker in 0..<workers {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    var results: [(Duration, Int, Bool)] = []
                    for _ in stride(from: worker, to: lookupCount, by: workers) {
                        let searcher = nodesSnapshot[Int.random(in: 0..<nodesSnapshot.count, using: &generator)]
                        let target = NodeID.random(using: &generator)
                        let begin = ContinuousClock.now
                        guard let result = try? await searcher.findNode(target) else {
                            results.append((ContinuousClock.now - begin, 0, false))
                            continue
                        }
                        let latency = ContinuousClock.now - begin
                        let truth = ids.filter { $0 != searcher.id }
                            .sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(20)
                        results.append((latency, result.messagesSent, Array(truth) == result.closest.map(\.id)))
                    }
                    return results
                }
            }
            var all: [(Duration, Int, Bool)] = []
            for await part in group { all += part }
            return all
        }
        for node in swarm { await node.stop() }

        let latencies = samples.map(\.latency).sorted()
        let messages = samples.map(\.messages).sorted()
        func percentile<T>(_ values: [T], _ p: Double) -> T { values[min(values.count - 1, Int(Double(values.count) * p))] }
        let report = SwarmBenchReport(
            nodes: nodes,
            joinFailures: joinFailures,
            joinSeconds: joined.seconds,
            lookups: samples.count,
            exactFraction: Double(samples.filter(\.exact).count) / Double(samples.count),
            latencyP50Milliseconds: percentile(latencies, 0.5).milliseconds,
            latencyP99Milliseconds: percentile(latencies, 0.99).milliseconds,
            messagesP50: percentile(messages, 0.5),
            messagesP99: percentile(messages, 0.99),
            residentBytes: resident,
            residentBytesPerNode: resident / nodes
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }

    /// A bench node: a fresh identity, no rate limits (all the load comes from loopback), on `address`.
    static func configuration(
        address: NodeAddress = NodeAddress(ipv4: 0x7f00_0001, port: 0),
        bootstrap: [NodeAddress]
    ) -> NodeConfiguration {
        NodeConfiguration(
            identity: NodeIdentity.generate(),
            listenAddresses: [address],
            bootstrapAddresses: bootstrap,
            limits: .unlimitedRates
        )
    }
}

/// What `dhtnode bench swarm` measured.
struct SwarmBenchReport: Codable {
    var nodes: Int
    var joinFailures: Int
    var joinSeconds: Double
    var lookups: Int
    var exactFraction: Double
    var latencyP50Milliseconds: Double
    var latencyP99Milliseconds: Double
    var messagesP50: Int
    var messagesP99: Int
    var residentBytes: Int
    var residentBytesPerNode: Int

    var table: String {
        """
        nodes                 \(nodes) (join failures: \(joinFailures), joined in \(String(format: "%.1f", joinSeconds)) s)
        lookups               \(lookups), exact 20 closest: \(String(format: "%.4f", exactFraction))
        latency p50 / p99     \(String(format: "%.2f", latencyP50Milliseconds)) ms / \(String(format: "%.2f", latencyP99Milliseconds)) ms
        messages p50 / p99    \(messagesP50) / \(messagesP99)
        resident memory       \(residentBytes >> 20) MiB (\(residentBytesPerNode >> 10) KiB per node)
        """
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
