import Kademlia

/// What a ``DatagramEndpoint`` asks its shell to do.
public enum EndpointOutput: Sendable {
    /// Send these bytes (one encoded datagram) to this address.
    case datagram([UInt8], to: NodeAddress)
    /// Send these bytes (a `DIAL_PROBE`) to this address from the probe socket: a socket of the same family bound
    /// to another port, which has sent nothing else, so that the probe comes from an address its target never
    /// sent to (docs/PROTOCOL.md, "Reachability and client mode").
    case probe([UInt8], to: NodeAddress)
    /// Open a TCP connection to this address (the exchange's port at the probed node's observed address) and send
    /// the dial-back's nonce on it as a relay-framed `PROBE`: the TCP half of the probe above.
    case tcpProbe(nonce: UInt64, to: NodeAddress)
    /// Call ``DatagramEndpoint/handleTimeout(_:now:)`` with this ID at this instant (harmless if answered first).
    case scheduleTimeout(TransactionID, at: DHTInstant)
    /// Call ``DatagramEndpoint/tick(now:)`` at this instant; a later one replaces an earlier one.
    case scheduleTick(at: DHTInstant)
    /// A GET_PROVIDERS lookup heard of these providers and goes on (``KademliaDirective/providersFound(_:_:)``).
    case providersFound(OperationID, [Contact])
    /// An operation started through ``DatagramEndpoint/perform(_:now:)`` ended.
    case completed(OperationID, OperationResult)
}
