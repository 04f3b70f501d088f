import Blocks
import Logging

/// The daemon's log handler (text or JSON) behind one guard: a message or a metadata value may quote a name from a
/// DAG, the path of a request or a peer's words, so what acts on a terminal is escaped in it
/// (``UntrustedText/controlsEscaped(_:limit:)``) before the line is written. A log read with `tail -f` then cannot
/// rewrite its reader's screen, and no value can end its line to forge the next one. Text escaped already where it
/// was logged passes unchanged.
struct EscapingLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped

    init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(Self.escaped) }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(Self.escaped) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(UntrustedText.controlsEscaped(event.message.description))"
        var metadata = event.metadata?.mapValues(Self.escaped)
        if let error = event.error {
            // Handlers print an error as its description: escaped here, under the keys StreamLogHandler uses.
            metadata = metadata ?? [:]
            metadata?["error.message"] = .string(UntrustedText.controlsEscaped("\(error)"))
            metadata?["error.type"] = .string(String(reflecting: type(of: error)))
            event.error = nil
        }
        event.metadata = metadata
        wrapped.log(event: event)
    }

    private static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(UntrustedText.controlsEscaped(text))
        case .stringConvertible(let value): .string(UntrustedText.controlsEscaped(value.description))
        case .array(let values): .array(values.map(escaped))
        case .dictionary(let values): .dictionary(values.mapValues(escaped))
        }
    }
}
