/// What became of a `DIAL_BACK` or `DIAL_REQUEST` (the status byte of `DIAL_STATUS`; docs/PROTOCOL.md,
/// "Reachability and client mode").
public enum DialStatus: UInt8, Hashable, Sendable, CaseIterable {
    /// A probe went out: to a `DIAL_BACK`, a helper confirmed it sent one; to a `DIAL_REQUEST`, the responder sent it.
    case probed = 0x00
    /// The responder knows no node that could send the probe (none other than the requester and its address).
    case noHelper = 0x10
    /// A budget of the responder is spent (for this requester, its network, the target's network, or in all).
    case busy = 0x11
    /// The responder does not send probes to that target: a loopback address asked for by a node that is not on
    /// loopback itself.
    case refused = 0x12

    /// A short stable label for counters.
    public var label: String {
        switch self {
        case .probed: "probed"
        case .noHelper: "no_helper"
        case .busy: "busy"
        case .refused: "refused"
        }
    }
}
