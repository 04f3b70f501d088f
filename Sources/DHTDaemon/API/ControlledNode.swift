import DHTCrypto
import DHTNode
import Kademlia

/// What the control API asks of a node: ``DHTNode/Node`` conforms, and tests can pass a stand-in.
public protocol ControlledNode: Sendable {
    /// The node's ID.
    var id: NodeID { get }
    /// The node's public key.
    var publicKey: Ed25519PublicKey { get }
    /// The UDP addresses it listens on.
    var listeningAddresses: [NodeAddress] { get }
    /// An iterative FIND_NODE lookup.
    func findNode(_ target: NodeID) async throws -> LookupResult
    /// Stores a value on the k closest nodes to its key.
    func put(_ value: [UInt8], under key: RecordKey, ttl: Duration?) async throws -> PublishReport
    /// The values stored under a key.
    func get(_ key: RecordKey) async throws -> [DHTValue]
    /// Announces this node as a provider of a key.
    func provide(_ key: RecordKey) async throws -> PublishReport
    /// The providers of a key.
    func providers(of key: RecordKey) async throws -> [Contact]
    /// The routing table.
    func peers() async throws -> [Peer]
    /// The node's counters.
    func statistics() async throws -> NodeStatistics
    /// Whether others can reach the node, and the addresses they see it at.
    var reachability: ReachabilityReport { get async throws }
    /// The relays a private node is reached through.
    var relays: [Contact] { get }
}

extension ControlledNode {
    /// A stand-in that checks nothing: `unknown`, no observed address.
    public var reachability: ReachabilityReport {
        get async throws { ReachabilityReport(status: .unknown) }
    }

    /// A stand-in: no relay.
    public var relays: [Contact] { [] }
}

extension Node: ControlledNode {}
