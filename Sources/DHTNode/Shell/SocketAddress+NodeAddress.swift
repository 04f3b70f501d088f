import Kademlia
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NodeAddress {
    /// The node address of an IPv4 or IPv6 socket address (an IPv4-mapped IPv6 address becomes IPv4); `nil` for
    /// Unix-domain addresses.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.init(ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr), port: UInt16(bigEndian: v4.address.sin_port))
        case .v6(let v6):
            var storage = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &storage) { Array($0) }
            let port = UInt16(bigEndian: v6.address.sin6_port)
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                let ipv4 = bytes[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                self.init(ipv4: ipv4, port: port)
            } else {
                let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                self.init(host: .ipv6(high: high, low: low), port: port)
            }
        case .unixDomainSocket:
            return nil
        }
    }

    /// The socket address to send to.
    public var socketAddress: SocketAddress {
        switch host {
        case .ipv4(let address):
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = port.bigEndian
            raw.sin_addr.s_addr = address.bigEndian
            return SocketAddress(raw, host: "")
        case .ipv6(let high, let low):
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &raw.sin6_addr) { buffer in
                for index in 0..<8 {
                    buffer[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
                    buffer[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
                }
            }
            return SocketAddress(raw, host: "")
        }
    }

    /// Whether this is an IPv6 address.
    var isIPv6: Bool {
        if case .ipv6 = host { return true }
        return false
    }
}
