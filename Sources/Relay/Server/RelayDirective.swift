import Kademlia

/// What a relay core asks its shell to do.
public enum RelayDirective: Hashable, Sendable {
    /// Write `message` on the connection.
    case send(RelayConnectionID, RelayMessage)
    /// Close the connection (after what was sent on it).
    case close(RelayConnectionID)
    /// Forward bytes both ways between the two connections from now on (each was sent its `circuit(ok)` first),
    /// and report them with ``RelayInstance/forwarded(_:bytes:now:)``.
    case splice(RelayCircuitID, RelayConnectionID, RelayConnectionID)
    /// Close both connections of the circuit: it reached a cap.
    case cut(RelayCircuitID, RelayCutReason)
    /// Read nothing more from the circuit's connections until `until` (the total bandwidth cap).
    case pause(RelayCircuitID, until: DHTInstant)
}
