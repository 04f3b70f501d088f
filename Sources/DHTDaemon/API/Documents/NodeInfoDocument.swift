import Kademlia

/// `GET /v1/id`: who the node is and where it listens.
public struct NodeInfoDocument: Codable, Hashable, Sendable {
    /// The node's ID, 64 hex digits.
    public var id: String
    /// Its Ed25519 public key, 64 hex digits.
    public var publicKey: String
    /// The UDP addresses it listens on.
    public var listen: [String]
    /// Contacts in its routing table.
    public var routingTableSize: Int
    /// The daemon's process ID.
    public var pid: Int32
    /// The HTTP gateway's base URL (from `api.json`); absent when the daemon serves none.
    public var gateway: String?
    /// Whether other nodes can reach this one: `public`, `private` or `unknown` (docs/PROTOCOL.md, "Reachability
    /// and client mode"). A private node runs as a DHT client. Absent from daemons that predate it.
    public var reachability: ReachabilityStatus?
    /// The addresses peers saw the node's requests come from (`A.B.C.D:PORT`, `[IPv6]:PORT`), most reporters
    /// first. Behind a NAT these are the NAT's.
    public var observedAddresses: [String]?
    /// Whether the node runs as a DHT client (it is private).
    public var client: Bool?
    /// The relays a private node is reached through (`ID@A.B.C.D:PORT`; its provider records name them), empty
    /// while it holds no reservation (docs/PROTOCOL.md, "Relays").
    public var relays: [String]?

    /// Creates a document.
    public init(
        id: String,
        publicKey: String,
        listen: [String],
        routingTableSize: Int,
        pid: Int32,
        reachability: ReachabilityStatus? = nil,
        observedAddresses: [String]? = nil,
        client: Bool? = nil,
        relays: [String]? = nil
    ) {
        self.id = id
        self.publicKey = publicKey
        self.listen = listen
        self.routingTableSize = routingTableSize
        self.pid = pid
        self.reachability = reachability
        self.observedAddresses = observedAddresses
        self.client = client
        self.relays = relays
    }
}
