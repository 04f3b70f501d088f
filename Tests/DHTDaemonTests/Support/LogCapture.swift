import Logging
import Synchronization

/// A logger whose messages a test can read back.
final class LogCapture: Sendable {
    struct Message: Sendable {
        var level: Logger.Level
        var text: String
        var metadata: Logger.Metadata = [:]
    }

    private let storage = Mutex<[Message]>([])

    /// Everything logged so far.
    var messages: [Message] { storage.withLock { $0 } }

    /// A logger (level trace) that appends to ``messages``.
    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let message = Message(
                level: event.level, text: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 })
            capture.storage.withLock { $0.append(message) }
        }
    }
}
