import Kademlia

extension NodeAddress {
    /// Parses an address to bind: `A.B.C.D:PORT` or `[IPv6]:PORT`, where PORT may be 0 (the system picks a free
    /// port). ``NodeAddress/init(parsing:)`` refuses port 0 because a peer's address never has it.
    ///
    /// - Throws: ``NodeAddressParseError`` saying which part is wrong.
    public init(parsingBindAddress text: String) throws(NodeAddressParseError) {
        guard text.hasSuffix(":0") else {
            try self.init(parsing: text)
            return
        }
        // Parse with a placeholder port, then put 0 back: the host rules stay in one place.
        var parsed = try NodeAddress(parsing: String(text.dropLast()) + "1")
        parsed.port = 0
        self = parsed
    }

    /// The host alone, as a socket API takes it: `127.0.0.1` or `::1` (no brackets, no port).
    public var hostText: String {
        let text = description
        let withoutPort = text[..<(text.lastIndex(of: ":") ?? text.endIndex)]
        if withoutPort.hasPrefix("["), withoutPort.hasSuffix("]") {
            return String(withoutPort.dropFirst().dropLast())
        }
        return String(withoutPort)
    }
}
