/// A node as the core knows it: its ID and the address it answered from.
public struct Contact: Hashable, Sendable, CustomStringConvertible {
    /// The node's ID (SHA-256 of its public key).
    public var id: NodeID
    /// The address the node answered from; for a relayed contact, the address of its relay.
    public var address: NodeAddress
    /// Whether the node is reached through the relay at ``address`` (it is behind a NAT and holds a reservation
    /// there), not at the address itself. Only provider records carry relayed contacts (docs/PROTOCOL.md, "Relays").
    public var relayed: Bool

    /// Creates a contact.
    public init(id: NodeID, address: NodeAddress, relayed: Bool = false) {
        self.id = id
        self.address = address
        self.relayed = relayed
    }

    /// A short, human-readable form: `ID@ADDRESS`, or `ID@RELAY/relayed`.
    public var description: String { "\(id)@\(address)" + (relayed ? "/relayed" : "") }
}
