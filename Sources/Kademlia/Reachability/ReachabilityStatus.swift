/// Whether other nodes can reach this node at the address they see it at (docs/PROTOCOL.md, "Reachability and
/// client mode").
public enum ReachabilityStatus: String, Hashable, Sendable, CaseIterable, Codable {
    /// Not decided yet (too few dial-backs answered), or never checked. The node serves as usual.
    case unknown
    /// Probes that this node never asked for reached it from several peers' helpers: it serves the DHT.
    case `public`
    /// Probes sent to its observed address did not arrive, for several peers: it is behind a NAT or a firewall
    /// that filters what it did not ask for. It runs as a DHT client.
    case `private`
}
