/// The outcome a relay reports in `reserved` and `circuit` messages.
public enum RelayStatus: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Done: reserved, or the circuit is spliced.
    case ok = 0x00
    /// The target of a `connect` holds no reservation here, or an `accept`'s token is unknown.
    case noReservation = 0x10
    /// A cap is reached: reservations, circuits in all or to this target, or connections waiting.
    case busy = 0x11
    /// The relay serves nobody (`--relay off`), or the proof of a reservation failed.
    case refused = 0x12
    /// The reserved node did not accept the circuit in time.
    case timedOut = 0x13

    /// As in metrics and logs.
    public var description: String {
        switch self {
        case .ok: "ok"
        case .noReservation: "no-reservation"
        case .busy: "busy"
        case .refused: "refused"
        case .timedOut: "timed-out"
        }
    }
}
