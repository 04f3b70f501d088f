/// A prefix of an IP address: the family, and the address with the bits past the prefix cleared. Two hosts with the
/// same prefix are "the same source" or "the same network" for a cap that counts per prefix.
///
/// The groupings in use (``NodeAddress/Host/sourcePrefix`` and ``NodeAddress/Host/networkPrefix``) follow what one
/// party can cheaply hold: an IPv4 address, or an IPv6 /64 (the smallest block an ISP or a cloud hands out, 2^64
/// addresses to its holder); an IPv4 /24 or an IPv6 /48 (a site).
public struct AddressPrefix: Hashable, Sendable {
    let isIPv6: Bool
    let high: UInt64
    let low: UInt64

    /// The first `ipv4Bits` bits of an IPv4 host, or the first `ipv6Bits` bits of an IPv6 host.
    public init(_ host: NodeAddress.Host, ipv4Bits: Int, ipv6Bits: Int) {
        switch host {
        case .ipv4(let address):
            let bits = max(0, min(32, ipv4Bits))
            // Swift's `>>` shifts past the width to 0, so the mask is right for 0 and 32 bits too.
            self.init(isIPv6: false, high: 0, low: UInt64(address & ~(UInt32.max >> UInt32(bits))))
        case .ipv6(let high, let low):
            let bits = max(0, min(128, ipv6Bits))
            let highBits = min(64, bits)
            self.init(
                isIPv6: true,
                high: high & ~(UInt64.max >> UInt64(highBits)),
                low: low & ~(UInt64.max >> UInt64(bits - highBits))
            )
        }
    }

    init(isIPv6: Bool, high: UInt64, low: UInt64) {
        self.isIPv6 = isIPv6
        self.high = high
        self.low = low
    }
}

extension NodeAddress.Host {
    /// The host as one source: an IPv4 address, or the /64 of an IPv6 address.
    public var sourcePrefix: AddressPrefix { AddressPrefix(self, ipv4Bits: 32, ipv6Bits: 64) }

    /// The host's network: the /24 of an IPv4 address, or the /48 of an IPv6 address.
    public var networkPrefix: AddressPrefix { AddressPrefix(self, ipv4Bits: 24, ipv6Bits: 48) }
}
