import Foundation
import Simulator

/// Renders a simulation report as aligned `name  value` lines for a terminal.
enum ReportTable {
    static func render(_ report: SimulationReport) -> String {
        func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
        let rows: [(String, String)] = [
            ("nodes", "\(report.nodes)"),
            ("lookups", "\(report.lookups)"),
            ("loss", f(report.loss)),
            ("churn", f(report.churn)),
            ("private (clients)", f(report.privateShare)),
            ("latency_ms", report.latencyMs),
            ("seed", "\(report.seed)"),
            ("exact", f(report.exact, 4)),
            ("hops p50/p99", "\(f(report.hopsP50, 0)) / \(f(report.hopsP99, 0))"),
            ("messages p50/p99", "\(f(report.messagesP50, 0)) / \(f(report.messagesP99, 0))"),
            ("time ms p50/p99", "\(f(report.timeMsP50, 1)) / \(f(report.timeMsP99, 1))"),
            ("time RTTs p50/p99", "\(f(report.timeRTTsP50)) / \(f(report.timeRTTsP99))"),
            ("found", "\(f(report.found, 4)) (of \(report.gets) gets)"),
            ("stored replicas (mean)", f(report.storedReplicasMean, 1)),
            ("names: newest resolved", "\(f(report.names.newest, 4)) (of \(report.names.resolves) resolves)"),
            ("names: resolve messages p50/p99", "\(f(report.names.messagesP50, 0)) / \(f(report.names.messagesP99, 0))"),
            ("names: resolve ms p50/p99", "\(f(report.names.timeMsP50, 1)) / \(f(report.names.timeMsP99, 1))"),
            ("names: resolve RTTs p50/p99", "\(f(report.names.timeRTTsP50)) / \(f(report.names.timeRTTsP99))"),
            ("names: replicas, answers, corrected (mean)",
                "\(f(report.names.replicasMean, 1)), \(f(report.names.validAnswersMean, 1)), \(f(report.names.correctedMean, 1))"),
            ("join messages per node", f(report.joinMessagesPerNode, 1)),
            ("routing table size (mean)", f(report.routingTableSizeMean, 1)),
            ("datagrams (lost)", "\(report.datagrams) (\(report.datagramsLost))"),
            ("requests (timed out)", "\(report.requests) (\(report.requestTimeouts))"),
            ("simulated seconds", f(report.simulatedSeconds, 1)),
            ("wall seconds", f(report.wallSeconds, 1)),
            ("peak RSS MiB", f(report.peakRSSMiB, 0)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
