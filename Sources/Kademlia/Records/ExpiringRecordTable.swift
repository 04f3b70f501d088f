/// Records under keys, each with the source IP that stored it and an expiry instant, capped per key, per source and
/// in total: the storage behind ``ValueStore`` and ``ProviderStore``.
struct ExpiringRecordTable<Record: Sendable>: Sendable {
    private struct Held: Sendable {
        var record: Record
        var source: NodeAddress.Host
        var expiresAt: DHTInstant
    }

    /// A live record with what a snapshot needs to keep it.
    struct Entry: Sendable {
        var key: RecordKey
        var record: Record
        var source: NodeAddress.Host
        var expiresAt: DHTInstant
    }

    /// The refusal when a source holds its maximum of records.
    static var sourceFull: StoreRejection { .sourceFull }

    private var byKey: [RecordKey: [Held]] = [:]
    /// Records held per source IP, including expired ones not yet swept; a source with none has no entry.
    private var bySource: [NodeAddress.Host: Int] = [:]
    /// Records held, including expired ones not yet swept.
    private(set) var count = 0

    /// Keys with at least one record.
    var keyCount: Int { byKey.count }

    /// Records held that `source` stored (including expired ones not yet swept).
    func count(from source: NodeAddress.Host) -> Int { bySource[source] ?? 0 }

    /// Holds `record` from `source` under `key` until `expiresAt`. A held record for which `isSame` is true is
    /// replaced (a fresh lifetime; it now counts for `source`); otherwise expired records of the key are dropped and
    /// the caps are checked: `perKeyLimit` records per key, `perSourceLimit` per source, `totalLimit` in all.
    mutating func insert(
        _ record: Record,
        from source: NodeAddress.Host,
        under key: RecordKey,
        expiresAt: DHTInstant,
        now: DHTInstant,
        perKeyLimit: Int,
        perSourceLimit: Int,
        totalLimit: Int,
        isSame: (Record) -> Bool
    ) -> StoreOutcome {
        var held = byKey[key] ?? []
        if let index = held.firstIndex(where: { isSame($0.record) }) {
            let previous = held[index].source
            if previous != source {
                guard count(from: source) < perSourceLimit else { return .rejected(Self.sourceFull) }
                uncount(previous)
                bySource[source, default: 0] += 1
            }
            held[index] = Held(record: record, source: source, expiresAt: expiresAt)
            byKey[key] = held
            return .replaced
        }
        let dropped = dropExpired(from: &held, now: now)
        count -= dropped
        let outcome: StoreOutcome
        if held.count >= perKeyLimit {
            outcome = .rejected(.keyFull)
        } else if count(from: source) >= perSourceLimit {
            outcome = .rejected(Self.sourceFull)
        } else if count >= totalLimit {
            outcome = .rejected(.storeFull)
        } else {
            held.append(Held(record: record, source: source, expiresAt: expiresAt))
            count += 1
            bySource[source, default: 0] += 1
            outcome = .stored
        }
        byKey[key] = held.isEmpty ? nil : held
        return outcome
    }

    /// The records under `key` whose lifetime has not ended, oldest first.
    func live(under key: RecordKey, now: DHTInstant) -> [Record] {
        guard let held = byKey[key] else { return [] }
        return held.filter { $0.expiresAt > now }.map(\.record)
    }

    /// Every record whose lifetime has not ended, by key, then oldest first (an order that does not depend on the
    /// process's hash seed).
    func liveEntries(now: DHTInstant) -> [Entry] {
        byKey.keys.sorted().flatMap { key in
            byKey[key, default: []].lazy.filter { $0.expiresAt > now }.map {
                Entry(key: key, record: $0.record, source: $0.source, expiresAt: $0.expiresAt)
            }
        }
    }

    /// Drops every record whose lifetime ended; returns how many.
    mutating func expire(now: DHTInstant) -> Int {
        var dropped = 0
        for key in Array(byKey.keys) {
            guard var held = byKey[key] else { continue }
            dropped += dropExpired(from: &held, now: now)
            byKey[key] = held.isEmpty ? nil : held
        }
        count -= dropped
        if bySource.isEmpty, bySource.capacity > 64 { bySource = [:] }
        return dropped
    }

    /// Removes the expired records of one key's list and their per-source counts; returns how many.
    private mutating func dropExpired(from held: inout [Held], now: DHTInstant) -> Int {
        let before = held.count
        held.removeAll { record in
            guard record.expiresAt <= now else { return false }
            uncount(record.source)
            return true
        }
        return before - held.count
    }

    /// One record less for `source`; a source with none left is forgotten, so the counts stay bounded by the
    /// records held.
    private mutating func uncount(_ source: NodeAddress.Host) {
        guard let held = bySource[source] else { return }
        bySource[source] = held > 1 ? held - 1 : nil
    }
}
