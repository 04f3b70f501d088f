import DHTCrypto
import Kademlia
import Relay
import Rendezvous

/// Everything a ``Node`` is started with.
public struct NodeConfiguration: Sendable {
    /// The node's Ed25519 identity; its ID is SHA-256 of the public key.
    public var identity: NodeIdentity
    /// UDP addresses to listen on (IPv4 and/or IPv6). Port 0 picks a free port; ``Node/listeningAddresses`` tells
    /// which. Default: `127.0.0.1:0`.
    public var listenAddresses: [NodeAddress]
    /// Nodes to join through when the routing table is empty at start (and to re-join through when it runs
    /// empty). A node started from a persisted table does not contact them.
    public var bootstrapAddresses: [NodeAddress]
    /// The Kademlia core's rules. ``Node`` always sets ``KademliaConfiguration/admission`` to
    /// ``ContactAdmission/afterPong``: a contact enters the table only after it signed our challenge.
    public var kademlia: KademliaConfiguration
    /// Abuse limits on inbound traffic.
    public var limits: AbuseLimits
    /// Contacts and records persisted by an earlier run, restored before the first datagram.
    public var restoredState: NodeSnapshot?
    /// Pads FIND_NODE, FIND_VALUE and GET_PROVIDERS requests to a third of the largest reply, so that a node that
    /// does not know us yet may answer in full without amplifying (docs/PROTOCOL.md, "Amplification"). Default on.
    public var padsLookupRequests: Bool
    /// Block exchange: with a store, the node serves and fetches blocks over TCP (``Node/cat(_:range:)``);
    /// `nil` (the default) runs the DHT alone.
    public var content: ContentConfiguration?
    /// The UDP sockets' kernel receive buffer (`SO_RCVBUF`), in bytes; `nil` (the default) keeps the system's
    /// default (about 200 KiB on Linux, some 90 padded requests). A node that takes bursts from many clients at
    /// once (a bootstrap node) sets more, or the kernel drops what arrives while the node is busy. Linux caps it at
    /// `net.core.rmem_max`.
    public var receiveBufferBytes: Int?
    /// Session rendezvous (needs ``content``): the node provides its swarm's session block for each time window,
    /// looks up the other providers and connects to them (docs/PROTOCOL.md, "Session rendezvous"); `nil` for none.
    public var rendezvous: RendezvousConfiguration?
    /// A private swarm's key: every datagram is sealed with it, and it is mixed into every exchange handshake, so
    /// only nodes that hold it can talk to this one (docs/PROTOCOL.md, "Private swarms"); `nil`: the open network.
    public var swarmKey: SwarmKey?
    /// Whether the node finds out if others can reach it (dial-backs through its peers; ``Node/reachability``), and
    /// runs as a DHT client while it cannot be reached. Default `true`. The node serves others' dial-backs either
    /// way (unless it is a client); ``KademliaConfiguration/reachability`` holds the details.
    public var checksReachability: Bool = true
    /// The relay service this node offers others behind NATs while it is public (needs ``content``: it listens on
    /// the exchange's TCP port). ``Relay/RelayConfiguration/isEnabled`` off (`dhtnode run --relay off`) refuses
    /// every reservation and circuit (docs/PROTOCOL.md, "Relays").
    public var relay = RelayConfiguration()
    /// How the node keeps reservations on relays while it is private (needs ``content``); `nil`: it reserves none,
    /// and cannot be fetched from behind a NAT.
    public var relayReservations: RelayReservationsConfiguration? = RelayReservationsConfiguration()
    /// How the two ends of a relayed exchange connection try to replace it with a direct one (needs ``content``;
    /// docs/PROTOCOL.md, "Hole punching"); `nil`: relayed connections stay relayed.
    public var holePunching: HolePunchConfiguration? = HolePunchConfiguration()

    /// A configuration with defaults: listen on `127.0.0.1:0`, no bootstrap nodes, default limits.
    public init(
        identity: NodeIdentity,
        listenAddresses: [NodeAddress] = [NodeAddress(ipv4: 0x7f00_0001, port: 0)],
        bootstrapAddresses: [NodeAddress] = [],
        kademlia: KademliaConfiguration = KademliaConfiguration(),
        limits: AbuseLimits = AbuseLimits(),
        restoredState: NodeSnapshot? = nil,
        padsLookupRequests: Bool = true,
        content: ContentConfiguration? = nil,
        rendezvous: RendezvousConfiguration? = nil,
        swarmKey: SwarmKey? = nil,
        receiveBufferBytes: Int? = nil
    ) {
        self.receiveBufferBytes = receiveBufferBytes
        self.identity = identity
        self.listenAddresses = listenAddresses
        self.bootstrapAddresses = bootstrapAddresses
        self.kademlia = kademlia
        self.limits = limits
        self.restoredState = restoredState
        self.padsLookupRequests = padsLookupRequests
        self.content = content
        self.rendezvous = rendezvous
        self.swarmKey = swarmKey
    }
}
