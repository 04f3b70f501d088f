import Foundation
import Logging

/// `dhtnode run --json`: the daemon's log as one JSON object a line on stderr (`time`, `level`, `label`, `message`,
/// and the metadata's keys under `metadata`), for log collectors; the text log is for people.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Line(
            time: Date().formatted(.iso8601),
            level: event.level.rawValue,
            label: label,
            message: event.message.description,
            metadata: merged.isEmpty ? nil : merged.mapValues(\.description)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(line) else { return }
        FileOutput.standardError(JSONOutput.terminalSafe(data) + "\n")
    }

    private struct Line: Encodable {
        var time: String
        var level: String
        var label: String
        var message: String
        var metadata: [String: String]?
    }
}
