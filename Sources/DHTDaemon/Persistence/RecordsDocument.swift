import DHTNode
import Foundation
import Kademlia

/// The records part of `state.json`: a ``Kademlia/RecordSnapshot`` in JSON. Bytes are base64, durations seconds.
public struct RecordsDocument: Codable, Hashable, Sendable {
    /// A value held for another node.
    public struct HeldValue: Codable, Hashable, Sendable {
        /// The key (64 hex digits).
        public var key: String
        /// The publisher (64 hex digits).
        public var publisher: String
        /// The value, base64.
        public var value: String
        /// The IP that stored it (no port, no brackets).
        public var source: String
        /// Lifetime left when saved, in seconds.
        public var remainingSeconds: Double
    }

    /// A provider record held for another node.
    public struct HeldProvider: Codable, Hashable, Sendable {
        /// The key (64 hex digits).
        public var key: String
        /// The provider.
        public var provider: ContactDocument
        /// Lifetime left when saved, in seconds.
        public var remainingSeconds: Double
    }

    /// A mutable record (an IPNS record) held for another node.
    public struct HeldRecord: Codable, Hashable, Sendable {
        /// The routing key, base64.
        public var routingKey: String
        /// The record, base64.
        public var record: String
        /// The IP that stored it (no port, no brackets).
        public var source: String
        /// Lifetime left when saved, in seconds.
        public var remainingSeconds: Double
    }

    /// A record of this node's own, republished while it runs.
    public struct OwnRecord: Codable, Hashable, Sendable {
        /// The key (64 hex digits).
        public var key: String
        /// The value put, base64; absent for a key this node provides and for a mutable record.
        public var value: String?
        /// A mutable record's routing key, base64 (with ``record``).
        public var routingKey: String?
        /// A mutable record, base64.
        public var record: String?
        /// The lifetime asked for, in seconds.
        public var ttlSeconds: Double
        /// Time until the next republish when saved, in seconds.
        public var untilRepublishSeconds: Double
    }

    /// Values held for others.
    public var values: [HeldValue]
    /// Provider records held for others.
    public var providers: [HeldProvider]
    /// Mutable records held for others (absent in files written before they existed).
    public var records: [HeldRecord]?
    /// This node's own records.
    public var own: [OwnRecord]

    /// The document of `records`.
    public init(_ records: RecordSnapshot) {
        self.values = records.values.map { held in
            HeldValue(
                key: held.key.hex,
                publisher: held.value.publisher.hex,
                value: Data(held.value.data).base64EncodedString(),
                source: NodeAddress(host: held.source, port: 1).hostText,
                remainingSeconds: held.remaining.inSeconds
            )
        }
        self.providers = records.providers.map { held in
            HeldProvider(
                key: held.key.hex,
                provider: ContactDocument(held.provider),
                remainingSeconds: held.remaining.inSeconds
            )
        }
        self.records = records.records.map { held in
            HeldRecord(
                routingKey: Data(held.record.routingKey).base64EncodedString(),
                record: Data(held.record.bytes).base64EncodedString(),
                source: NodeAddress(host: held.source, port: 1).hostText,
                remainingSeconds: held.remaining.inSeconds
            )
        }
        self.own = records.own.map { record in
            OwnRecord(
                key: record.key.hex,
                value: record.value.map { Data($0).base64EncodedString() },
                routingKey: record.record.map { Data($0.routingKey).base64EncodedString() },
                record: record.record.map { Data($0.bytes).base64EncodedString() },
                ttlSeconds: record.ttl.inSeconds,
                untilRepublishSeconds: record.untilRepublish.inSeconds
            )
        }
    }

    /// The snapshot, `elapsed` after it was saved: held records that expired meanwhile are left out, and
    /// republish delays shortened (never below zero).
    ///
    /// - Throws: ``DocumentError`` naming the first field that does not parse.
    public func snapshot(after elapsed: Duration) throws(DocumentError) -> RecordSnapshot {
        var snapshot = RecordSnapshot()
        for (index, held) in values.enumerated() {
            let field = "records.values[\(index)]"
            let remaining = try DocumentError.duration(held.remainingSeconds, field: field + ".remainingSeconds")
            let key = try DocumentError.nodeID(held.key, field: field + ".key")
            let publisher = try DocumentError.nodeID(held.publisher, field: field + ".publisher")
            let data = try Self.bytes(held.value, field: field + ".value")
            guard let source = NodeAddress.parseHost(held.source) else {
                throw DocumentError(field: field + ".source", reason: "'\(held.source)' is not an IP address")
            }
            guard remaining > elapsed else { continue }
            snapshot.values.append(
                RecordSnapshot.HeldValue(
                    key: key,
                    value: DHTValue(publisher: publisher, data: data),
                    source: source,
                    remaining: remaining - elapsed
                )
            )
        }
        for (index, held) in providers.enumerated() {
            let field = "records.providers[\(index)]"
            let remaining = try DocumentError.duration(held.remainingSeconds, field: field + ".remainingSeconds")
            let key = try DocumentError.nodeID(held.key, field: field + ".key")
            let provider: Contact
            do {
                provider = try held.provider.contact()
            } catch {
                throw DocumentError(field: field + ".provider.\(error.field)", reason: error.reason)
            }
            guard remaining > elapsed else { continue }
            snapshot.providers.append(
                RecordSnapshot.HeldProvider(key: key, provider: provider, remaining: remaining - elapsed)
            )
        }
        for (index, held) in (records ?? []).enumerated() {
            let field = "records.records[\(index)]"
            let remaining = try DocumentError.duration(held.remainingSeconds, field: field + ".remainingSeconds")
            let routingKey = try Self.bytes(held.routingKey, field: field + ".routingKey")
            let bytes = try Self.bytes(held.record, field: field + ".record")
            guard let source = NodeAddress.parseHost(held.source) else {
                throw DocumentError(field: field + ".source", reason: "'\(held.source)' is not an IP address")
            }
            guard remaining > elapsed else { continue }
            snapshot.records.append(
                RecordSnapshot.HeldRecord(
                    record: MutableRecord(routingKey: routingKey, bytes: bytes),
                    source: source,
                    remaining: remaining - elapsed
                )
            )
        }
        for (index, record) in own.enumerated() {
            let field = "records.own[\(index)]"
            let key = try DocumentError.nodeID(record.key, field: field + ".key")
            let ttl = try DocumentError.duration(record.ttlSeconds, field: field + ".ttlSeconds")
            let until = try DocumentError.duration(
                record.untilRepublishSeconds,
                field: field + ".untilRepublishSeconds"
            )
            let value = try record.value.map { text throws(DocumentError) in
                try Self.bytes(text, field: field + ".value")
            }
            var mutable: MutableRecord?
            if let routingKey = record.routingKey, let bytes = record.record {
                mutable = MutableRecord(
                    routingKey: try Self.bytes(routingKey, field: field + ".routingKey"),
                    bytes: try Self.bytes(bytes, field: field + ".record")
                )
            }
            snapshot.own.append(
                RecordSnapshot.OwnRecord(
                    key: key,
                    value: value,
                    ttl: ttl,
                    untilRepublish: until > elapsed ? until - elapsed : .zero,
                    record: mutable
                )
            )
        }
        return snapshot
    }

    private static func bytes(_ base64: String, field: String) throws(DocumentError) -> [UInt8] {
        guard let data = Data(base64Encoded: base64) else {
            throw DocumentError(field: field, reason: "not base64")
        }
        return Array(data)
    }
}
