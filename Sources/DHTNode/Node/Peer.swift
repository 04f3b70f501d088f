import Kademlia

/// A routing-table contact as ``Node/peers()`` lists it.
public struct Peer: Hashable, Sendable {
    /// The node and its address.
    public var contact: Contact
    /// Its smoothed round-trip time, when one was measured.
    public var roundTripTime: Duration?
    /// Time since it last answered a request of ours.
    public var lastSeenAgo: Duration
    /// Requests it failed since it last answered.
    public var failures: Int
    /// Whether it is a member of the node's swarm connected through the session rendezvous.
    public var isSessionMember: Bool

    /// Creates a peer description.
    public init(
        contact: Contact,
        roundTripTime: Duration?,
        lastSeenAgo: Duration,
        failures: Int,
        isSessionMember: Bool = false
    ) {
        self.contact = contact
        self.roundTripTime = roundTripTime
        self.lastSeenAgo = lastSeenAgo
        self.failures = failures
        self.isSessionMember = isSessionMember
    }
}
