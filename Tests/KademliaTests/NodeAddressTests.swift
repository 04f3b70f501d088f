import Testing

@testable import Kademlia

@Suite("NodeAddress")
struct NodeAddressTests {
    @Test("IPv4 with a port")
    func parsesIPv4() throws {
        let address = try NodeAddress(parsing: "1.2.3.4:5")
        #expect(address.host == .ipv4(0x0102_0304))
        #expect(address.port == 5)
        #expect(address == NodeAddress(ipv4: 0x0102_0304, port: 5))
    }

    @Test("IPv6 loopback in brackets")
    func parsesIPv6Loopback() throws {
        let address = try NodeAddress(parsing: "[::1]:4000")
        #expect(address.host == .ipv6(high: 0, low: 1))
        #expect(address.port == 4000)
    }

    @Test("IPv6 documentation address with the largest port")
    func parsesIPv6MaxPort() throws {
        let address = try NodeAddress(parsing: "[2001:db8::1]:65535")
        #expect(address.host == .ipv6(high: 0x2001_0db8_0000_0000, low: 1))
        #expect(address.port == 65535)
    }

    @Test(
        "errors name the part that is wrong",
        arguments: [
            ("1.2.3.4", NodeAddressParseError.missingPort),
            ("1.2.3.4:0", .invalidPort("0")),
            ("1.2.3.4:70000", .invalidPort("70000")),
            ("1.2.3.4:", .invalidPort("")),
            ("1.2.3.4:http", .invalidPort("http")),
            ("1.2.3.256:5", .invalidHost("1.2.3.256")),
            ("example.com:5", .invalidHost("example.com")),
            (":5", .invalidHost("")),
            ("::1:4000", .ipv6NeedsBrackets),
            ("2001:db8::1:4000", .ipv6NeedsBrackets),
            ("[::1:4000", .missingClosingBracket),
            ("[::1]", .missingPort),
            ("[::1]4000", .missingPort),
            ("[::1]:0", .invalidPort("0")),
            ("[::1]:65536", .invalidPort("65536")),
            ("[::g]:5", .invalidHost("::g")),
        ])
    func parseErrors(text: String, error: NodeAddressParseError) {
        #expect(throws: error) { try NodeAddress(parsing: text) }
    }

    @Test("parseHost reads bare hosts only")
    func parseHost() {
        #expect(NodeAddress.parseHost("10.0.0.1") == .ipv4(0x0a00_0001))
        #expect(NodeAddress.parseHost("::") == .ipv6(high: 0, low: 0))
        #expect(NodeAddress.parseHost("[::1]") == nil)
        #expect(NodeAddress.parseHost("10.0.0.1:5") == nil)
    }

    @Test("sharesNetwork: IPv4 /24")
    func sharesNetworkIPv4() throws {
        let a = try NodeAddress(parsing: "192.168.7.1:1000")
        let sameNetwork = try NodeAddress(parsing: "192.168.7.254:2000")
        let nextNetwork = try NodeAddress(parsing: "192.168.8.1:1000")
        #expect(a.sharesNetwork(with: sameNetwork, ipv4Bits: 24, ipv6Bits: 64))
        #expect(!a.sharesNetwork(with: nextNetwork, ipv4Bits: 24, ipv6Bits: 64))
        #expect(a.sharesNetwork(with: nextNetwork, ipv4Bits: 16, ipv6Bits: 64))
        #expect(!a.sharesNetwork(with: sameNetwork, ipv4Bits: 32, ipv6Bits: 64))
        #expect(a.sharesNetwork(with: a, ipv4Bits: 32, ipv6Bits: 64))
        #expect(a.sharesNetwork(with: try NodeAddress(parsing: "8.8.8.8:53"), ipv4Bits: 0, ipv6Bits: 64))
    }

    @Test("sharesNetwork: IPv6 /64, and never across families")
    func sharesNetworkIPv6() throws {
        let a = try NodeAddress(parsing: "[2001:db8:1:2::1]:4000")
        let sameNetwork = try NodeAddress(parsing: "[2001:db8:1:2:ffff:ffff:ffff:ffff]:4001")
        let nextNetwork = try NodeAddress(parsing: "[2001:db8:1:3::1]:4000")
        #expect(a.sharesNetwork(with: sameNetwork, ipv4Bits: 24, ipv6Bits: 64))
        #expect(!a.sharesNetwork(with: nextNetwork, ipv4Bits: 24, ipv6Bits: 64))
        #expect(a.sharesNetwork(with: nextNetwork, ipv4Bits: 24, ipv6Bits: 48))
        #expect(!a.sharesNetwork(with: sameNetwork, ipv4Bits: 24, ipv6Bits: 128))
        #expect(!a.sharesNetwork(with: sameNetwork, ipv4Bits: 24, ipv6Bits: 96))
        let v4 = try NodeAddress(parsing: "1.2.3.4:5")
        #expect(!a.sharesNetwork(with: v4, ipv4Bits: 0, ipv6Bits: 0))
    }

    @Test(
        "description round trip",
        arguments: ["1.2.3.4:5", "255.255.255.255:65535", "0.0.0.0:1", "[::1]:4000", "[2001:db8::1]:65535", "[::]:9", "[fe80::1:2:3:4]:80"])
    func descriptionRoundTrip(text: String) throws {
        let address = try NodeAddress(parsing: text)
        #expect(address.description == text)
        #expect(try NodeAddress(parsing: address.description) == address)
    }

    @Test("description of IPv6 is canonical (lowercase, compressed)")
    func canonicalIPv6() throws {
        let address = try NodeAddress(parsing: "[2001:0DB8:0000:0000:0000:0000:0000:0001]:7")
        #expect(address.description == "[2001:db8::1]:7")
    }
}

@Suite("NodeAddress strictness")
struct NodeAddressStrictnessTests {
    @Test("an IPv4 host in brackets is not an IPv6 literal")
    func bracketedIPv4Rejected() {
        #expect(throws: NodeAddressParseError.invalidHost("1.2.3.4")) { try NodeAddress(parsing: "[1.2.3.4]:5") }
    }

    @Test("a port with a plus sign is not a port")
    func plusSignedPortRejected() {
        #expect(throws: NodeAddressParseError.invalidPort("+5")) { try NodeAddress(parsing: "1.2.3.4:+5") }
        #expect(throws: NodeAddressParseError.invalidPort("+4000")) { try NodeAddress(parsing: "[::1]:+4000") }
    }

    @Test("a port with a minus sign is not a port")
    func minusSignedPortRejected() {
        #expect(throws: NodeAddressParseError.invalidPort("-5")) { try NodeAddress(parsing: "1.2.3.4:-5") }
        #expect(throws: NodeAddressParseError.invalidPort("-0")) { try NodeAddress(parsing: "1.2.3.4:-0") }
    }
}
