import Kademlia

/// What a node's reservation core asks its shell to do.
public enum RelayReservationDirective: Hashable, Sendable {
    /// Open a reservation connection to `relay` and run the reservation exchange; report how it went.
    case reserve(Contact)
    /// Send `renew` on the reservation connection to the relay.
    case renew(NodeID)
    /// Close the reservation connection to the relay.
    case release(NodeID)
    /// The relays the node is reachable through changed: announce them (provider records, contacts).
    case relaysChanged([Contact])
    /// Offer the core candidates (``RelayReservations/offer(_:now:)``): public nodes from the routing table.
    case wantCandidates
}
