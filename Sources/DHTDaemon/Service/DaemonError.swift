/// Why the daemon could not start: one sentence for the operator.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    /// The sentence.
    public let description: String

    /// Creates an error.
    public init(_ description: String) {
        self.description = description
    }
}
