/// What a relay did since it started.
public struct RelayStatistics: Hashable, Sendable {
    /// Reservations granted (renewals not counted).
    public var reservationsGranted = 0
    /// Circuits spliced.
    public var circuitsOpened = 0
    /// Bytes forwarded over all circuits, both directions.
    public var bytesRelayed: UInt64 = 0
    /// Circuits cut, by reason.
    public var cuts: [RelayCutReason: Int] = [:]
    /// Reservations and circuits refused, by the status sent.
    public var refusals: [RelayStatus: Int] = [:]
    /// Connections closed for a malformed or unexpected message, or silence past their deadline.
    public var connectionsDropped = 0

    /// Nothing yet.
    public init() {}
}
