import DHTCrypto
import DHTDaemon
import DHTNode
import Synchronization

@testable import Kademlia

/// A ``ControlledNode`` that answers from memory, or throws a chosen ``NodeError``, for the API's routes.
final class FakeNode: ControlledNode {
    let identity = NodeIdentity.generate()
    var id: NodeID { NodeID(publicKeyBytes: identity.publicKey.bytes) }
    var publicKey: Ed25519PublicKey { identity.publicKey }
    var listeningAddresses: [NodeAddress] { [NodeAddress(ipv4: 0x7f00_0001, port: 4001)] }

    /// When set, every call throws it.
    let failure = Mutex<NodeError?>(nil)
    /// Values put, by key.
    let values = Mutex<[NodeID: [UInt8]]>([:])

    static let peer = Contact(
        id: NodeID(hashing: Array("peer".utf8)),
        address: NodeAddress(ipv4: 0x7f00_0001, port: 4002)
    )

    private func check() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private func lookup(_ target: NodeID, _ kind: LookupKind) -> LookupResult {
        LookupResult(
            target: target,
            kind: kind,
            outcome: .converged,
            closest: [Self.peer],
            hops: 1,
            messagesSent: 1,
            responses: 1,
            timeouts: 0,
            values: [],
            providers: []
        )
    }

    func findNode(_ target: NodeID) async throws -> LookupResult {
        try check()
        return lookup(target, .findNode)
    }

    func put(_ value: [UInt8], under key: RecordKey, ttl: Duration?) async throws -> PublishReport {
        try check()
        values.withLock { $0[key] = value }
        return PublishReport(asked: 1, accepted: 1, lookup: lookup(key, .findNode))
    }

    func get(_ key: RecordKey) async throws -> [DHTValue] {
        try check()
        return values.withLock { $0[key] }.map { [DHTValue(publisher: id, data: $0)] } ?? []
    }

    func provide(_ key: RecordKey) async throws -> PublishReport {
        try check()
        return PublishReport(asked: 1, accepted: 1, lookup: lookup(key, .findNode))
    }

    func providers(of key: RecordKey) async throws -> [Contact] {
        try check()
        return [Self.peer]
    }

    func peers() async throws -> [Peer] {
        try check()
        return [Peer(contact: Self.peer, roundTripTime: .milliseconds(3), lastSeenAgo: .seconds(2), failures: 0)]
    }

    func statistics() async throws -> NodeStatistics {
        try check()
        var statistics = NodeStatistics()
        statistics.routingTableSize = 1
        return statistics
    }
}
