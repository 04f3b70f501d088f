/// The records of a ``KademliaInstance`` in a form a shell can persist and give back after a restart: the values
/// and provider records it holds for others, and its own records that it republishes.
///
/// Lifetimes are relative (what was left when the snapshot was taken), because ``DHTInstant``s are readings of one
/// process's monotonic clock and mean nothing in the next process. Take it with
/// ``KademliaInstance/recordSnapshot(now:)``, give it back with ``KademliaInstance/restoreRecords(_:now:)``.
public struct RecordSnapshot: Hashable, Sendable {
    /// A value held for another node.
    public struct HeldValue: Hashable, Sendable {
        /// The key it is stored under.
        public var key: RecordKey
        /// The value and its publisher.
        public var value: DHTValue
        /// The IP the STORE came from (the record counts against its ``RecordLimits/maxRecordsPerSource``).
        public var source: NodeAddress.Host
        /// How long the value had left to live.
        public var remaining: Duration

        /// Creates a held value.
        public init(key: RecordKey, value: DHTValue, source: NodeAddress.Host, remaining: Duration) {
            self.key = key
            self.value = value
            self.source = source
            self.remaining = remaining
        }
    }

    /// A provider record held for another node (it counts against the cap of the provider's IP).
    public struct HeldProvider: Hashable, Sendable {
        /// The key it provides.
        public var key: RecordKey
        /// The provider, at the address it announced itself from.
        public var provider: Contact
        /// How long the record had left to live.
        public var remaining: Duration

        /// Creates a held provider record.
        public init(key: RecordKey, provider: Contact, remaining: Duration) {
            self.key = key
            self.provider = provider
            self.remaining = remaining
        }
    }

    /// A mutable record held for another node (judged again by the validator when restored).
    public struct HeldRecord: Hashable, Sendable {
        /// The record.
        public var record: MutableRecord
        /// The IP the PUT_RECORD came from (the record counts against its caps).
        public var source: NodeAddress.Host
        /// How long the record had left to live.
        public var remaining: Duration

        /// Creates a held record.
        public init(record: MutableRecord, source: NodeAddress.Host, remaining: Duration) {
            self.record = record
            self.source = source
            self.remaining = remaining
        }
    }

    /// A record of ours that the instance republishes.
    public struct OwnRecord: Hashable, Sendable {
        /// The key.
        public var key: RecordKey
        /// Our value under the key, or `nil` for a provider record or a mutable record of ours.
        public var value: [UInt8]?
        /// Our mutable record under the key, or `nil` for a value or a provider record.
        public var record: MutableRecord?
        /// The lifetime each publication asks for (for a provider record, ``RecordLimits/providerTTL``).
        public var ttl: Duration
        /// How long until the next republication was due.
        public var untilRepublish: Duration

        /// Creates an own record.
        public init(
            key: RecordKey,
            value: [UInt8]?,
            ttl: Duration,
            untilRepublish: Duration,
            record: MutableRecord? = nil
        ) {
            self.key = key
            self.value = value
            self.record = record
            self.ttl = ttl
            self.untilRepublish = untilRepublish
        }
    }

    /// Values held for others.
    public var values: [HeldValue]
    /// Provider records held for others.
    public var providers: [HeldProvider]
    /// Mutable records held for others.
    public var records: [HeldRecord]
    /// Our own values, provider records and mutable records.
    public var own: [OwnRecord]

    /// Creates a snapshot.
    public init(
        values: [HeldValue] = [],
        providers: [HeldProvider] = [],
        records: [HeldRecord] = [],
        own: [OwnRecord] = []
    ) {
        self.values = values
        self.providers = providers
        self.records = records
        self.own = own
    }
}
