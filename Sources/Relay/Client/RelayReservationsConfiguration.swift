/// How a private node keeps its relay reservations (docs/PROTOCOL.md, "Relays": reserving).
public struct RelayReservationsConfiguration: Hashable, Sendable {
    /// Relays held at once.
    public var wanted = 2
    /// Candidates remembered (public nodes from the routing table).
    public var maxCandidates = 32
    /// How long a reservation attempt may take before it counts as failed.
    public var attemptTimeout: Duration = .seconds(10)
    /// The wait before a relay that failed is tried again; it doubles with each failure in a row, up to
    /// ``maxRetryDelay``.
    public var retryDelay: Duration = .seconds(5)
    /// The longest wait before a failed relay is tried again.
    public var maxRetryDelay: Duration = .seconds(300)
    /// How often to ask for candidates while fewer than ``wanted`` relays are held and none is left to try.
    public var candidateInterval: Duration = .seconds(5)

    /// The defaults.
    public init() {}
}
