import DHTNode

/// One routing-table contact in `GET /v1/peers`.
public struct PeerDocument: Codable, Hashable, Sendable {
    /// The node's ID, 64 hex digits.
    public var id: String
    /// The address it answered from.
    public var address: String
    /// Its smoothed round-trip time in seconds, when one was measured.
    public var roundTripSeconds: Double?
    /// Seconds since it last answered a request of ours.
    public var lastSeenSecondsAgo: Double
    /// Requests it failed since then.
    public var failures: Int
    /// Whether it is a member of the daemon's swarm connected through the session rendezvous.
    public var rendezvous: Bool

    /// The document of `peer`.
    public init(_ peer: Peer) {
        self.id = peer.contact.id.hex
        self.address = peer.contact.address.description
        self.roundTripSeconds = peer.roundTripTime?.inSeconds
        self.lastSeenSecondsAgo = peer.lastSeenAgo.inSeconds
        self.failures = peer.failures
        self.rendezvous = peer.isSessionMember
    }
}

/// `GET /v1/peers`: the routing table, closest to the node's own ID first.
public struct PeersDocument: Codable, Hashable, Sendable {
    /// The contacts.
    public var peers: [PeerDocument]

    /// Creates a document.
    public init(peers: [PeerDocument]) {
        self.peers = peers
    }
}
