import Exchange
import Kademlia
import NIOCore

/// Which peers are in this machine's own network, for the fetch's ranking of providers (``Exchange/SourceRank``).
///
/// The rule: a provider's address is in the same network when it shares its IPv4 /24 or its IPv6 /48 with one of
/// this machine's interface addresses (or the node's listen addresses, when bound to one), or when both are
/// loopback. A /24 and a /48 are the prefixes a site is usually given, and the ones the DHT's IP-diversity limits
/// and connection budgets count by (``Kademlia/NodeAddress/Host/networkPrefix``): close enough to Edgemesh's
/// "same autonomous system" for a LAN or a campus, without an AS table.
struct NetworkLocality: Sendable {
    /// The networks (/24, /48) of the machine's own addresses.
    let networks: Set<AddressPrefix>

    /// The networks of `addresses` and of every interface address of the machine (read once).
    init(addresses: [NodeAddress]) {
        let unspecified: Set<NodeAddress.Host> = [.ipv4(0), .ipv6(high: 0, low: 0)]
        var networks = Set(addresses.map(\.host).filter { !unspecified.contains($0) }.map(\.networkPrefix))
        for device in (try? System.enumerateDevices()) ?? [] {
            guard let address = device.address, let host = NodeAddress(address)?.host, !unspecified.contains(host)
            else { continue }
            networks.insert(host.networkPrefix)
        }
        self.networks = networks
    }

    /// Networks given as they are (tests).
    init(networks: Set<AddressPrefix>) {
        self.networks = networks
    }

    /// Whether `address` is in one of this machine's networks, or both are loopback.
    func contains(_ address: NodeAddress) -> Bool {
        address.isLoopback || networks.contains(address.host.networkPrefix)
    }
}
