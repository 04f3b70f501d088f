import Kademlia

/// Who a connection counts against in a ``ConnectionBudget``: its source (an IPv4 address, or an IPv6 /64) and its
/// network (an IPv4 /24, or an IPv6 /48).
public struct ConnectionSource: Hashable, Sendable {
    /// A prefix of an address (the record stores of the Kademlia core count per the same prefixes).
    public typealias Prefix = AddressPrefix

    /// The IPv4 address or IPv6 /64.
    public let source: Prefix
    /// The IPv4 /24 or IPv6 /48.
    public let network: Prefix

    /// The source and network of `host`.
    public init(_ host: NodeAddress.Host) {
        source = host.sourcePrefix
        network = host.networkPrefix
    }
}
