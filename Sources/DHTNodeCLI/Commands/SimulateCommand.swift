import ArgumentParser
import Foundation
import Kademlia
import Simulator

/// `dhtnode simulate`: runs the Kademlia core on a simulated network and reports what the lookups achieved.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the DHT core on a simulated network of N nodes and measure its lookups.",
        discussion: """
            Nodes join one by one, values are stored, a fraction of nodes may leave without notice (churn) while \
            as many join, then random lookups run and are scored against the true k closest live nodes. The run \
            is deterministic for a given --seed.
            """
    )

    @Option(help: "Nodes in the network.")
    var nodes: Int = 1000

    @Option(help: "FIND_NODE lookups to measure (as many values are stored and fetched).")
    var lookups: Int = 100

    @Option(help: "Probability that a datagram is lost (0 ≤ P < 1).")
    var loss: Double = 0

    @Option(help: "Fraction of nodes that leave without notice after the tables formed (0 ≤ P < 1).")
    var churn: Double = 0

    @Option(
        name: .customLong("private"),
        help: "Fraction of nodes behind NATs: DHT clients nobody can send a request to (0 ≤ P < 1)."
    )
    var privateShare: Double = 0

    @Option(
        name: .customLong("latency-ms"), help: "One-way link latency range in milliseconds, A-B (default: 20-80).",
        transform: LatencyRange.parse)
    var latency: LatencyRange = LatencyRange(low: 20, high: 80)

    @Option(help: "Seed of every random choice; the same seed gives the same result.")
    var seed: UInt64 = 1

    @Option(help: "Threads that run the simulated network (the result does not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard nodes >= 2 else { throw ValidationError("--nodes must be at least 2 (got \(nodes))") }
        guard nodes <= 1_000_000 else { throw ValidationError("--nodes must be at most 1000000 (got \(nodes))") }
        guard lookups >= 1 else { throw ValidationError("--lookups must be at least 1 (got \(lookups))") }
        guard (0..<1).contains(loss) else { throw ValidationError("--loss must be in [0, 1) (got \(loss))") }
        guard (0..<1).contains(churn) else { throw ValidationError("--churn must be in [0, 1) (got \(churn))") }
        guard (0..<1).contains(privateShare) else {
            throw ValidationError("--private must be in [0, 1) (got \(privateShare))")
        }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be in 1...64 (got \(threads))") }
    }

    func run() throws {
        var configuration = SimulationConfiguration()
        configuration.nodes = nodes
        configuration.lookups = lookups
        configuration.loss = loss
        configuration.churn = churn
        configuration.privateShare = privateShare
        configuration.latencyMilliseconds = latency.low...latency.high
        configuration.seed = seed

        let clock = ContinuousClock()
        let started = clock.now
        let quiet = json
        var report = Simulation(configuration: configuration, threads: threads).run { phase in
            if !quiet {
                let rss = ProcessMemory.residentBytes().map { "\($0 >> 20) MiB" } ?? "?"
                let elapsed = (clock.now - started).milliseconds / 1000
                FileHandle.standardError.write(Data("simulate: [\(Int(elapsed)) s, RSS \(rss)] \(phase)\n".utf8))
            }
        }
        report.wallSeconds = (clock.now - started).milliseconds / 1000
        report.peakRSSMiB = ProcessMemory.peakResidentBytes().map { Double($0) / 1_048_576 } ?? 0

        if json {
            try JSONOutput.print(report)
        } else {
            print(ReportTable.render(report))
        }
    }
}

/// A latency range given as `A-B` milliseconds on the command line.
struct LatencyRange: Sendable, CustomStringConvertible {
    var low: Double
    var high: Double

    init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    /// Parses `A-B`, saying what is wrong with anything else.
    static func parse(_ argument: String) throws -> LatencyRange {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ValidationError("--latency-ms takes a range A-B in milliseconds, such as 20-80 (got '\(argument)')")
        }
        guard let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite else {
            throw ValidationError("--latency-ms: '\(argument)' is not two numbers A-B, such as 20-80")
        }
        guard low >= 0, low <= high, high <= 60_000 else {
            throw ValidationError("--latency-ms: need 0 ≤ A ≤ B ≤ 60000 (got \(argument))")
        }
        return LatencyRange(low: low, high: high)
    }

    var description: String { "\(Int(low))-\(Int(high))" }
}
