/// When a node that answered one of our requests may enter the routing table.
///
/// Every response is authenticated by the shell (its sender ID is the hash of the key that signed the datagram),
/// but only a `PONG` carries a signature over our challenge: the UDP shell verifies it before the core sees the
/// pong, so a pong proves that the responder holds the key of its ID *now*, at that address. Other responses prove
/// less (a replayed or relayed answer could carry them), which is what ``afterPong`` guards against.
public enum ContactAdmission: Hashable, Sendable {
    /// Any matched response from a node's address admits it (the behaviour before this setting existed).
    case afterAnyResponse
    /// Only a `PONG` admits a node that is not in the table yet. Any other response from such a node is still used
    /// by the operation that asked, and starts a verification ping to it; the pong that answers admits it. Contacts
    /// already in the table are refreshed by every response, as with ``afterAnyResponse``.
    case afterPong
}
