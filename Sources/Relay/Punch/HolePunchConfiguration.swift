/// The timing of hole punches (docs/PROTOCOL.md, "Hole punching").
public struct HolePunchConfiguration: Hashable, Sendable {
    /// Attempts (each a `CONNECT`, its answer, `SYNC` and the dials) before the connection stays relayed.
    public var maxAttempts = 3
    /// How long the side that starts waits for the other's `CONNECT`.
    public var answerTimeout: Duration = .seconds(5)
    /// How long a dial may take (TCP's first SYN retransmission is at 1 s, so a SYN that met a NAT before the
    /// other side's SYN had opened it gets a second chance).
    public var dialTimeout: Duration = .seconds(5)
    /// How long the side that answers waits for the next message before it gives up on the punch.
    public var idleTimeout: Duration = .seconds(30)

    /// The defaults.
    public init() {}
}
