import Kademlia

/// What a ``DatagramEndpoint`` asks its shell to do.
public enum EndpointOutput: Sendable {
    /// Send these bytes (one encoded datagram) to this address.
    case datagram([UInt8], to: NodeAddress)
    /// Call ``DatagramEndpoint/handleTimeout(_:now:)`` with this ID at this instant (harmless if answered first).
    case scheduleTimeout(TransactionID, at: DHTInstant)
    /// Call ``DatagramEndpoint/tick(now:)`` at this instant; a later one replaces an earlier one.
    case scheduleTick(at: DHTInstant)
    /// A GET_PROVIDERS lookup heard of these providers and goes on (``KademliaDirective/providersFound(_:_:)``).
    case providersFound(OperationID, [Contact])
    /// An operation started through ``DatagramEndpoint/perform(_:now:)`` ended.
    case completed(OperationID, OperationResult)
}
