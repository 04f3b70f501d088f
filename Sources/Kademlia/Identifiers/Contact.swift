/// A node as the core knows it: its ID and the address it answered from.
public struct Contact: Hashable, Sendable, CustomStringConvertible {
    /// The node's ID (SHA-256 of its public key).
    public var id: NodeID
    /// The address the node answered from.
    public var address: NodeAddress

    /// Creates a contact.
    public init(id: NodeID, address: NodeAddress) {
        self.id = id
        self.address = address
    }

    /// A short, human-readable form.
    public var description: String { "\(id)@\(address)" }
}
