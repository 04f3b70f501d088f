/// Lifetimes and caps of the record stores. Every store is bounded: a full store evicts records of the keys farthest
/// from the node for records of nearer keys, and refuses the rest; it never grows.
public struct RecordLimits: Hashable, Sendable {
    /// Largest value accepted, in bytes. Default 1,024 (a value must fit a 1,280-byte datagram with headers).
    public var maxValueBytes: Int = 1024
    /// Values per key (one per publisher). Default 16.
    public var maxValuesPerKey: Int = 16
    /// Values in total; a full store evicts the values of the keys farthest from the node first. Default 65,536.
    public var maxValues: Int = 65_536
    /// Lifetime of a value when the publisher asks for none; also the longest granted. Default 24 h.
    public var valueTTL: Duration = .seconds(24 * 3600)
    /// How often a publisher stores its own values again. Default 11 h.
    public var valueRepublishInterval: Duration = .seconds(11 * 3600)
    /// Providers per key. Default 64.
    public var maxProvidersPerKey: Int = 64
    /// Provider records in total; a full store evicts the records of the keys farthest from the node first. Default
    /// 262,144.
    public var maxProviderRecords: Int = 262_144
    /// Lifetime of a provider record. Default 48 h (as libp2p).
    public var providerTTL: Duration = .seconds(48 * 3600)
    /// How often a provider announces itself again. Default 22 h (as libp2p).
    public var providerRepublishInterval: Duration = .seconds(22 * 3600)
    /// Values and provider records that one source may have stored on this node at once; past it, its stores are
    /// rejected with ``StoreRejection/sourceFull``. A source is the IPv4 address a STORE or ADD_PROVIDER came from,
    /// or the /64 of an IPv6 address (one holder gets all 2^64 addresses of a /64), whatever its port or node ID:
    /// IDs are cheap to make. Default 256.
    public var maxRecordsPerSource: Int = 256
    /// Values and provider records that one network (an IPv4 /24 or an IPv6 /48) may have stored on this node at
    /// once; past it, stores from it are rejected with ``StoreRejection/networkFull``. Default 1,024 (four sources'
    /// worth: a flood from every address of one network holds at most 0.3% of the record stores).
    public var maxRecordsPerNetwork: Int = 1024
    /// Values, and as many provider records, held for others that a snapshot for persistence keeps
    /// (``KademliaInstance/recordSnapshot(now:)``): those of the keys nearest the node. The others are gone after a
    /// restart, until their publishers store them again (within a republish interval). Default 8,192: the daemon
    /// encodes its state file as JSON, which takes about 2.5 KB a record while it runs (full stores, 327,680
    /// records, took RSS to 850 MB and wrote a 76 MB file, past the 64 MB a restart reads).
    public var maxSavedRecordsPerStore: Int = 8192
    /// Largest mutable record accepted, in bytes. Default 1,024: with its routing key and a write token a `PUT_RECORD`
    /// must fit a 1,280-byte datagram (an IPNS record of an Ed25519 name pointing at a CID takes about 300 bytes;
    /// the IPNS format allows 10 KiB, which no UDP DHT message carries).
    public var maxRecordBytes: Int = 1024
    /// Mutable records in total (one per key); a full store evicts the records of the keys farthest from the node
    /// first. Default 16,384.
    public var maxMutableRecords: Int = 16_384
    /// Longest a mutable record is held, whatever its own validity says. Default 48 h (as libp2p's record age).
    public var mutableRecordTTL: Duration = .seconds(48 * 3600)
    /// How often a publisher stores its own mutable records again (the same bytes; renewing a record's validity is
    /// the owner's signature, outside the core). Default 4 h, as kubo republishes IPNS records.
    public var mutableRecordRepublishInterval: Duration = .seconds(4 * 3600)
    /// Mutable records validated per second for others' `PUT_RECORD`s, with a burst of twice as many: checking a
    /// signature costs some 50 µs, so the default 1,000 holds it to about 5 % of a core; past it a `PUT_RECORD` is
    /// refused with ``StoreRejection/busy`` before its signature is checked.
    public var recordValidationsPerSecond: Double = 1000
    /// Own values and provided keys kept for republishing. Default 4,096.
    public var maxPublished: Int = 4096
    /// When an own record's last announcement reached no node (the table was empty, or every node asked failed),
    /// how long until it is announced again. The routing table's next new contact brings that forward to
    /// ``unannouncedSettleDelay``. Default 60 s.
    public var unannouncedRetryInterval: Duration = .seconds(60)
    /// How long after the routing table gains a contact the records that reached nobody are announced: a joining
    /// node's table fills within a few round trips, so the announcement finds the closest nodes, not the first one.
    /// Default 1 s.
    public var unannouncedSettleDelay: Duration = .seconds(1)

    /// The defaults above.
    public init() {}

    /// The caps of one store: `perKey` and `total` its own, the source and network caps shared.
    func caps(perKey: Int, total: Int) -> RecordCaps {
        .init(perKey: perKey, perSource: maxRecordsPerSource, perNetwork: maxRecordsPerNetwork, total: total)
    }
}

/// What a store did with a record.
public enum StoreOutcome: Hashable, Sendable {
    /// Stored as a new record.
    case stored
    /// The same publisher's record under the key was replaced (or its lifetime extended).
    case replaced
    /// Refused; the reason is attached.
    case rejected(StoreRejection)

    /// Whether the record is now held.
    public var isAccepted: Bool {
        if case .rejected = self { return false }
        return true
    }
}

/// Why a store refused a record.
public enum StoreRejection: Hashable, Sendable, CaseIterable {
    /// The value is larger than ``RecordLimits/maxValueBytes``.
    case valueTooLarge
    /// The key holds the maximum number of records.
    case keyFull
    /// The store holds the maximum number of records.
    case storeFull
    /// The requested lifetime is zero or negative.
    case invalidTTL
    /// The sending source (IPv4 address or IPv6 /64) holds the maximum number of records on this node
    /// (``RecordLimits/maxRecordsPerSource``).
    case sourceFull
    /// The sending network (IPv4 /24 or IPv6 /48) holds the maximum number of records on this node
    /// (``RecordLimits/maxRecordsPerNetwork``).
    case networkFull
    /// This node knows k or more nodes closer to the key than itself: the record belongs on them
    /// (``KademliaInstance/holdsRecords(for:excluding:)``).
    case notClosest
    /// The mutable record is not valid for its routing key (the ``MutableRecordValidator`` said why; a node without
    /// a validator refuses every mutable record this way).
    case invalidRecord
    /// The node holds a record under the key that ranks at least as high (a higher sequence, or the same sequence
    /// valid for longer).
    case outdatedRecord
    /// The node checked as many records as ``RecordLimits/recordValidationsPerSecond`` allows just now.
    case busy
}
