/// A relay's caps (docs/PROTOCOL.md, "Relays": what a relay limits).
public struct RelayConfiguration: Hashable, Sendable {
    /// Whether the node relays at all (`dhtnode run --relay off` clears it). A node that does not refuses every
    /// reservation and circuit with ``RelayStatus/refused``.
    public var isEnabled = true
    /// Reservations held at once.
    public var maxReservations = 128
    /// How long a reservation lasts without a renewal, in seconds (the holder renews at half of it).
    public var reservationLifetimeSeconds: UInt32 = 120
    /// Circuits open or waiting for their target at once.
    public var maxCircuits = 64
    /// Circuits to one reserved node at once.
    public var maxCircuitsPerReservation = 8
    /// The caps on each circuit: bytes (both directions) and seconds.
    public var circuitLimits = RelayCircuitLimits(bytes: 128 << 20, seconds: 600)
    /// Bytes per second forwarded over all circuits together (a second's worth is the burst); `nil`: no cap.
    public var totalBytesPerSecond: UInt64? = 16 << 20
    /// Connections that have not reserved, connected or accepted yet.
    public var maxPendingConnections = 256
    /// How long a new connection has to say what it wants (and to answer a challenge), and a reserved node to
    /// accept a circuit, in seconds.
    public var handshakeSeconds: UInt32 = 10

    /// The defaults.
    public init() {}
}
