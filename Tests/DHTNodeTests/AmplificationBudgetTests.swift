import DHTCrypto
import Kademlia
import Testing

@testable import DHTNode

/// What a node sends to an address that has not proven itself, replies and verification pings together, against
/// what that address sent.
@Suite("Amplification budget")
struct AmplificationBudgetTests {
    /// Requests from `source`, each from a fresh key (each one a new node to verify), delivered to the endpoint;
    /// every timeout it asks for is run in time order until none is left. Returns the bytes received from
    /// `source`, the bytes and datagrams sent back to it, and the endpoint.
    static func flood(
        _ requests: [KademliaRequest],
        from source: NodeAddress,
        spacing: Duration = .milliseconds(10)
    ) throws -> (received: Int, sent: Int, pings: Int, replies: Int, endpoint: DatagramEndpoint) {
        var network = EndpointNetwork()
        let b = network.add(2)
        var endpoint = network.endpoints[b]!
        var now = network.now
        var received = 0
        var sent = 0
        var pings = 0
        var replies = 0
        var timeouts: [(TransactionID, DHTInstant)] = []
        func take(_ outputs: [EndpointOutput]) throws {
            for output in outputs {
                switch output {
                case .datagram(let bytes, let to):
                    guard to == source else { continue }
                    sent += bytes.count
                    switch try DHTDatagram(decoding: bytes).body {
                    case .request(.ping): pings += 1
                    case .response: replies += 1
                    default: break
                    }
                case .scheduleTimeout(let id, let at):
                    timeouts.append((id, at))
                default:
                    break
                }
            }
        }
        for (index, request) in requests.enumerated() {
            let key = NodeIdentity.generate().publicKey.bytes
            let bytes = try DHTDatagram(transactionID: TransactionID(rawValue: UInt64(index + 1)), senderKey: key, body: .request(request)).encoded()
            received += bytes.count
            try take(endpoint.receive(bytes, from: source, now: now))
            now = now + spacing
        }
        while let next = timeouts.min(by: { $0.1 < $1.1 }) {
            timeouts.removeAll { $0.0 == next.0 && $0.1 == next.1 }
            now = max(now, next.1)
            try take(endpoint.handleTimeout(next.0, now: now))
        }
        return (received, sent, pings, replies, endpoint)
    }

    @Test("bytes to an unproven source stay within 3x what it sent, verification pings included")
    func withinThreeTimes() throws {
        let source = EndpointNetwork.address(77)
        // Small requests: PINGs (43 bytes, a 107-byte PONG) and unpadded FIND_NODEs and FIND_VALUEs (75 bytes).
        var requests: [KademliaRequest] = []
        for index in 0..<300 {
            switch index % 3 {
            case 0: requests.append(.ping)
            case 1: requests.append(.findNode(NodeID.zero))
            default: requests.append(.findValue(NodeID.max))
            }
        }
        let run = try Self.flood(requests, from: source)
        #expect(run.sent <= 3 * run.received)
        // Verification pings did go out (from what the replies left), and some were withheld.
        #expect(run.pings > 0)
        #expect(run.endpoint.statistics.withheldForAmplification > 0)
    }

    @Test("replies come first: every PING gets its PONG (107 of the 129 bytes it earns); pings use what is left")
    func pingsOnly() throws {
        let source = EndpointNetwork.address(78)
        let run = try Self.flood(Array(repeating: .ping, count: 100), from: source)
        #expect(run.replies == 100)
        #expect(run.sent <= 3 * run.received)
        #expect(run.pings <= 100 * (129 - 107) / 43)
    }

    @Test("sent slowly, each request's verification is bounded the same way")
    func slowRequests() throws {
        let source = EndpointNetwork.address(79)
        let run = try Self.flood(
            Array(repeating: .findNode(NodeID.zero), count: 40), from: source, spacing: .seconds(2))
        #expect(run.sent <= 3 * run.received)
        #expect(run.pings > 0)
    }

    @Test("an address that answered a request of ours is no longer budgeted")
    func provenAddress() throws {
        var network = EndpointNetwork()
        let a = network.add(1)
        let b = network.add(2)
        _ = network.perform(at: b) { core, now in core.ping(a, now: now) }
        #expect(network.endpoints[b]!.isProven(a))
        #expect(network.endpoints[b]!.amplificationBudget(of: a) == 0)
        // A's requests to B are answered in full and tracked nowhere.
        let key = NodeIdentity.generate().publicKey.bytes
        let request = try DHTDatagram(transactionID: TransactionID(rawValue: 5), senderKey: key, body: .request(.ping)).encoded()
        let outputs = network.endpoints[b]!.receive(request, from: a, now: network.now)
        #expect(outputs.contains { if case .datagram = $0 { true } else { false } })
        #expect(network.endpoints[b]!.amplificationBudget(of: a) == 0)
        #expect(network.endpoints[b]!.statistics.withheldForAmplification == 0)
    }
}
