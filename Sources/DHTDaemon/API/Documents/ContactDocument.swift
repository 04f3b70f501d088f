import DHTNode
import Kademlia

/// A contact in JSON: `{"id": "<64 hex digits>", "address": "A.B.C.D:PORT"}` (IPv6 as `[IPv6]:PORT`), with
/// `"relayed": true` when the node is reached through the relay at that address (a provider behind a NAT).
///
/// Used by the control API and by `state.json`.
public struct ContactDocument: Codable, Hashable, Sendable {
    /// The node's ID, 64 lowercase hex digits.
    public var id: String
    /// Where it answered from.
    public var address: String
    /// `true` when ``address`` is the node's relay; absent otherwise.
    public var relayed: Bool?

    /// Creates a document.
    public init(id: String, address: String, relayed: Bool? = nil) {
        self.id = id
        self.address = address
        self.relayed = relayed
    }

    /// The document of `contact`.
    public init(_ contact: Contact) {
        self.init(id: contact.id.hex, address: contact.address.description, relayed: contact.relayed ? true : nil)
    }

    /// The contact it describes.
    ///
    /// - Throws: ``DocumentError`` naming the field that does not parse.
    public func contact() throws(DocumentError) -> Contact {
        Contact(
            id: try DocumentError.nodeID(id, field: "id"), address: try DocumentError.address(address),
            relayed: relayed ?? false)
    }
}
