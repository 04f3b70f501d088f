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

    /// Creates a document.
    public init(id: String, publicKey: String, listen: [String], routingTableSize: Int, pid: Int32) {
        self.id = id
        self.publicKey = publicKey
        self.listen = listen
        self.routingTableSize = routingTableSize
        self.pid = pid
    }
}
