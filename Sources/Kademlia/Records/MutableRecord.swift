/// A record that its owner can replace: signed bytes under a routing key, held by the k nodes closest to the key.
///
/// The core does not read the bytes: a ``MutableRecordValidator`` that the shell supplies says whether a record is
/// valid for its routing key and how it ranks against another (IPNS records: the name's key must have signed it, and
/// the higher sequence wins). The DHT key is SHA-256 of the routing key (``RecordKey/init(routingKey:)``), as libp2p
/// derives it, so the routing key of an IPNS name (`/ipns/` and the name's multihash) lands where kubo would put it.
public struct MutableRecord: Hashable, Sendable {
    /// Longest routing key on the wire, in bytes (an IPNS routing key of an Ed25519 name is 44).
    public static let maxRoutingKeyByteCount = 64

    /// What the record is about, for example `/ipns/` followed by a name's multihash.
    public var routingKey: [UInt8]
    /// The record's bytes, for example a protobuf `IpnsEntry`.
    public var bytes: [UInt8]

    /// Creates a record.
    public init(routingKey: [UInt8], bytes: [UInt8]) {
        self.routingKey = routingKey
        self.bytes = bytes
    }

    /// The DHT key the record is stored under.
    public var key: RecordKey { RecordKey(routingKey: routingKey) }
}

extension NodeID {
    /// The DHT key of a routing key: its SHA-256.
    public init(routingKey: [UInt8]) {
        self.init(publicKeyBytes: routingKey)
    }
}
