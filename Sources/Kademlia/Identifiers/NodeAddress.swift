#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a node listens: an IPv4 or IPv6 host and a UDP port.
///
/// A plain value (no socket types) so the core and the simulator can use it without I/O.
public struct NodeAddress: Hashable, Sendable {
    /// An IP host.
    public enum Host: Hashable, Sendable {
        /// An IPv4 address as a big-endian 32-bit number (`10.0.0.1` is `0x0a00_0001`).
        case ipv4(UInt32)
        /// An IPv6 address as two big-endian 64-bit halves.
        case ipv6(high: UInt64, low: UInt64)
    }

    /// The host.
    public var host: Host
    /// The UDP port.
    public var port: UInt16

    /// Creates an address from a host and a port.
    public init(host: Host, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Creates an IPv4 address from its 32-bit big-endian value.
    public init(ipv4: UInt32, port: UInt16) {
        self.init(host: .ipv4(ipv4), port: port)
    }

    /// Parses `A.B.C.D:PORT` or `[IPv6]:PORT`.
    ///
    /// - Throws: ``NodeAddressParseError`` saying which part is wrong.
    public init(parsing text: String) throws(NodeAddressParseError) {
        let hostText: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .missingClosingBracket }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .missingPort }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .missingPort }
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
            if hostText.contains(":") { throw .ipv6NeedsBrackets }
        }
        guard !portText.isEmpty, portText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let port = UInt16(portText), port != 0
        else { throw .invalidPort(String(portText)) }
        guard let host = Self.parseHost(String(hostText)) else { throw .invalidHost(String(hostText)) }
        // Brackets are for IPv6 only: `[1.2.3.4]:5` is not an address.
        if text.hasPrefix("["), case .ipv4 = host { throw .invalidHost(String(hostText)) }
        self.init(host: host, port: port)
    }

    /// Parses a bare IPv4 or IPv6 host (no port, no brackets).
    public static func parseHost(_ text: String) -> Host? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return .ipv4(UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
            return .ipv6(high: high, low: low)
        }
        return nil
    }

    /// Whether the host is a loopback address: 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch host {
        case .ipv4(let address): address >> 24 == 127
        case .ipv6(let high, let low): high == 0 && low == 1
        }
    }

    /// Whether the host is the unspecified address (0.0.0.0 or ::): a socket bound there listens on every
    /// interface, but nobody can dial it.
    public var isUnspecified: Bool {
        switch host {
        case .ipv4(let address): address == 0
        case .ipv6(let high, let low): high == 0 && low == 0
        }
    }

    /// Whether both addresses are in the same network prefix (for IP-diversity limits):
    /// the first `ipv4Bits` bits of two IPv4 hosts, the first `ipv6Bits` bits of two IPv6 hosts.
    public func sharesNetwork(with other: NodeAddress, ipv4Bits: Int, ipv6Bits: Int) -> Bool {
        switch (host, other.host) {
        case (.ipv4(let a), .ipv4(let b)):
            let bits = max(0, min(32, ipv4Bits))
            if bits == 0 { return true }
            let mask: UInt32 = bits == 32 ? .max : ~(UInt32.max >> UInt32(bits))
            return a & mask == b & mask
        case (.ipv6(let ah, let al), .ipv6(let bh, let bl)):
            let bits = max(0, min(128, ipv6Bits))
            let highBits = min(64, bits)
            let lowBits = bits - highBits
            let highMask: UInt64 = highBits == 0 ? 0 : (highBits == 64 ? .max : ~(UInt64.max >> UInt64(highBits)))
            let lowMask: UInt64 = lowBits == 0 ? 0 : (lowBits == 64 ? .max : ~(UInt64.max >> UInt64(lowBits)))
            return ah & highMask == bh & highMask && al & lowMask == bl & lowMask
        default:
            return false
        }
    }
}

extension NodeAddress: CustomStringConvertible {
    /// `A.B.C.D:PORT` or `[IPv6]:PORT`.
    public var description: String {
        switch host {
        case .ipv4(let value):
            let parts = [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }
            return parts.joined(separator: ".") + ":\(port)"
        case .ipv6(let high, let low):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { buffer in
                for index in 0..<8 {
                    buffer[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
                    buffer[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
                }
            }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return "[\(host)]:\(port)"
        }
    }
}

/// Why text could not be read as a ``NodeAddress``.
public enum NodeAddressParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `:PORT` at the end.
    case missingPort
    /// The port is not a number in 1...65535.
    case invalidPort(String)
    /// The host is neither an IPv4 nor an IPv6 address.
    case invalidHost(String)
    /// An IPv6 host was given without `[` `]` around it.
    case ipv6NeedsBrackets
    /// `[` without a matching `]`.
    case missingClosingBracket

    /// A short, human-readable form.
    public var description: String {
        switch self {
        case .missingPort: "address needs a port: HOST:PORT or [IPV6]:PORT"
        case .invalidPort(let text): "'\(text)' is not a port (1-65535)"
        case .invalidHost(let text): "'\(text)' is not an IPv4 or IPv6 address"
        case .ipv6NeedsBrackets: "an IPv6 address needs brackets: [IPV6]:PORT"
        case .missingClosingBracket: "'[' without a closing ']'"
        }
    }
}
