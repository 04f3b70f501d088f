/// Mutable records this node holds for others: one per key, the best valid one it was sent.
///
/// A record is kept only when the validator finds it valid and it ranks above the record held under its key (a
/// higher sequence, or the same sequence valid for longer); an older one is refused with
/// ``StoreRejection/outdatedRecord``, so a node that once held a name's newest record cannot be talked back to an
/// earlier one. A record lives until its own validity ends, at most ``RecordLimits/mutableRecordTTL``. Caps as for
/// values: a source's and a network's records count with their values and provider records, and a full store evicts
/// the records of the keys farthest from the node first.
public struct MutableRecordStore: Sendable {
    /// A held record with the rank its validity gave it when it was stored.
    struct Held: Sendable {
        var record: MutableRecord
        var sequence: UInt64
        /// When the record's own validity ends (the table may drop it earlier, at the TTL cap).
        var validUntil: DHTInstant
    }

    /// The caps and lifetimes in force.
    public let limits: RecordLimits
    private var table: ExpiringRecordTable<Held>

    /// Creates an empty store for the node `localID` (distances for eviction are measured from it).
    public init(limits: RecordLimits = RecordLimits(), localID: NodeID) {
        self.limits = limits
        self.table = ExpiringRecordTable(center: localID)
    }

    /// Records held (including expired ones not yet swept).
    public var count: Int { table.count }

    /// Records evicted so far to make room for records under keys nearer the node.
    public var evictions: Int { table.evictions }

    /// Records held that the source and the network of `host` stored (including expired ones not yet swept).
    public func usage(of host: NodeAddress.Host) -> RecordSourceUsage {
        table.usage(of: host)
    }

    /// Stores `record`, sent from `source` and judged by `verdict`, unless the record held under its key ranks at
    /// least as high. The very record held already is ``StoreOutcome/replaced`` whatever the verdict (a node checks
    /// ``holds(_:now:)`` first and spends no signature check on it).
    ///
    /// - Returns: ``StoreOutcome/stored`` or ``StoreOutcome/replaced``; refusals: ``StoreRejection/valueTooLarge``
    ///   (over ``RecordLimits/maxRecordBytes``), ``StoreRejection/invalidRecord``, ``StoreRejection/outdatedRecord``,
    ///   and the caps' ``StoreRejection/sourceFull``, ``StoreRejection/networkFull``, ``StoreRejection/storeFull``.
    public mutating func store(
        _ record: MutableRecord,
        verdict: MutableRecordVerdict,
        from source: NodeAddress.Host,
        elsewhere: RecordSourceUsage = .none,
        now: DHTInstant
    ) -> StoreOutcome {
        guard record.bytes.count <= limits.maxRecordBytes else { return .rejected(.valueTooLarge) }
        let key = record.key
        let held = table.live(under: key, now: now).first
        if held?.record == record { return .replaced }
        guard case .valid(let rank) = verdict, rank.validFor > .zero else { return .rejected(.invalidRecord) }
        let validUntil = now + rank.validFor
        if let held {
            guard (rank.sequence, validUntil) > (held.sequence, held.validUntil) else {
                return .rejected(.outdatedRecord)
            }
        }
        return table.insert(
            Held(record: record, sequence: rank.sequence, validUntil: validUntil),
            from: source,
            under: key,
            expiresAt: min(validUntil, now + limits.mutableRecordTTL),
            now: now,
            caps: limits.caps(perKey: 1, total: limits.maxMutableRecords),
            elsewhere: elsewhere,
            isSame: { _ in true }
        )
    }

    /// Replaces the record held under `record`'s key by `record` when `record` ranks higher, keeping the source the
    /// held one counts for; returns whether it did. A node whose lookup found a newer record than the one it holds
    /// updates its own copy this way.
    @discardableResult
    public mutating func upgrade(_ record: MutableRecord, rank: MutableRecordRank, now: DHTInstant) -> Bool {
        guard record.bytes.count <= limits.maxRecordBytes, let held = table.liveEntry(under: record.key, now: now)
        else { return false }
        let validUntil = now + rank.validFor
        guard held.record.record != record, (rank.sequence, validUntil) > (held.record.sequence, held.record.validUntil)
        else { return false }
        let outcome = table.insert(
            Held(record: record, sequence: rank.sequence, validUntil: validUntil),
            from: held.source,
            under: record.key,
            expiresAt: min(validUntil, now + limits.mutableRecordTTL),
            now: now,
            caps: limits.caps(perKey: 1, total: limits.maxMutableRecords),
            elsewhere: .none,
            isSame: { _ in true }
        )
        return outcome.isAccepted
    }

    /// Whether `record` itself is the live record held under its key.
    public func holds(_ record: MutableRecord, now: DHTInstant) -> Bool {
        table.live(under: record.key, now: now).first?.record == record
    }

    /// The live record under `key`, if any.
    public func record(for key: RecordKey, now: DHTInstant) -> MutableRecord? {
        table.live(under: key, now: now).first?.record
    }

    /// The live records of the keys nearest the node, at most `limit`, by key, with the IP that stored each and the
    /// instant it expires.
    func liveRecords(
        now: DHTInstant,
        nearest limit: Int
    ) -> [(record: MutableRecord, source: NodeAddress.Host, expiresAt: DHTInstant)] {
        table.liveEntries(now: now, nearest: limit).map { ($0.record.record, $0.source, $0.expiresAt) }
    }

    /// Drops every record whose lifetime ended; returns how many.
    @discardableResult
    public mutating func expire(now: DHTInstant) -> Int {
        table.expire(now: now)
    }
}
