import Kademlia
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NodeAddress {
    /// Why a `host:port` could not be turned into addresses.
    public struct ResolutionError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What was given.
        public var text: String
        /// The resolver's (or the parser's) reason.
        public var reason: String
        public var description: String { "cannot resolve '\(text)': \(reason)" }
    }

    /// The addresses of `text`: an address with its port (`192.0.2.7:4001`, `[2001:db8::1]:4001`) as it is, or a
    /// host name with its port (`boot.example.org:4001`) through the system's resolver, IPv4 and IPv6 alike. Blocks
    /// while the resolver works: for command-line options and configuration, not for a node's event loop.
    ///
    /// - Throws: ``ResolutionError`` when there is no port, or the name has no address.
    public static func resolving(_ text: String) throws(ResolutionError) -> [NodeAddress] {
        if let address = try? NodeAddress(parsing: text) { return [address] }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0
        else {
            throw ResolutionError(text: text, reason: "not HOST:PORT with a port from 1 to 65535")
        }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":") else {
            throw ResolutionError(text: text, reason: "not HOST:PORT (an IPv6 address goes in brackets)")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ResolutionError(text: text, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var found: [NodeAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next {
            next = entry.pointee.ai_next
            guard let raw = entry.pointee.ai_addr,
                let socket = try? SocketAddress(raw, length: entry.pointee.ai_addrlen),
                let address = NodeAddress(socket), !found.contains(address)
            else { continue }
            found.append(address)
        }
        guard !found.isEmpty else { throw ResolutionError(text: text, reason: "no IPv4 or IPv6 address") }
        return found
    }
}

extension SocketAddress {
    /// The socket address at `raw`, `length` bytes long (from the resolver).
    fileprivate init(_ raw: UnsafeMutablePointer<sockaddr>, length: socklen_t) throws {
        switch Int32(raw.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(raw).load(as: sockaddr_in.self)
            self.init(v4, host: "")
        case AF_INET6:
            let v6 = UnsafeRawPointer(raw).load(as: sockaddr_in6.self)
            self.init(v6, host: "")
        default:
            throw SocketAddressError.unsupported
        }
    }
}
