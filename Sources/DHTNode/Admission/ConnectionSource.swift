import Kademlia

/// Who a connection counts against in a ``ConnectionBudget``: its source (an IPv4 address, or an IPv6 /64) and its
/// network (an IPv4 /24, or an IPv6 /48).
public struct ConnectionSource: Hashable, Sendable {
    /// A prefix of an address: the family, and the address with the bits past the prefix cleared.
    public struct Prefix: Hashable, Sendable {
        let isIPv6: Bool
        let high: UInt64
        let low: UInt64
    }

    /// The IPv4 address or IPv6 /64.
    public let source: Prefix
    /// The IPv4 /24 or IPv6 /48.
    public let network: Prefix

    /// The source and network of `host`.
    public init(_ host: NodeAddress.Host) {
        switch host {
        case .ipv4(let address):
            source = Prefix(isIPv6: false, high: 0, low: UInt64(address))
            network = Prefix(isIPv6: false, high: 0, low: UInt64(address & 0xffff_ff00))
        case .ipv6(let high, _):
            source = Prefix(isIPv6: true, high: high, low: 0)
            network = Prefix(isIPv6: true, high: high & 0xffff_ffff_ffff_0000, low: 0)
        }
    }
}
