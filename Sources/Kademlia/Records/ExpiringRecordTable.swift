/// Records under keys, each with an expiry instant, capped per key and in total: the storage behind
/// ``ValueStore`` and ``ProviderStore``.
struct ExpiringRecordTable<Record: Sendable>: Sendable {
    private struct Held: Sendable {
        var record: Record
        var expiresAt: DHTInstant
    }

    private var byKey: [RecordKey: [Held]] = [:]
    /// Records held, including expired ones not yet swept.
    private(set) var count = 0

    /// Keys with at least one record.
    var keyCount: Int { byKey.count }

    /// Holds `record` under `key` until `expiresAt`. A held record for which `isSame` is true is replaced (a fresh
    /// lifetime); otherwise expired records of the key are dropped and the caps are checked.
    mutating func insert(
        _ record: Record,
        under key: RecordKey,
        expiresAt: DHTInstant,
        now: DHTInstant,
        perKeyLimit: Int,
        totalLimit: Int,
        isSame: (Record) -> Bool
    ) -> StoreOutcome {
        var held = byKey[key] ?? []
        if let index = held.firstIndex(where: { isSame($0.record) }) {
            held[index] = Held(record: record, expiresAt: expiresAt)
            byKey[key] = held
            return .replaced
        }
        let before = held.count
        held.removeAll { $0.expiresAt <= now }
        count -= before - held.count
        let outcome: StoreOutcome
        if held.count >= perKeyLimit {
            outcome = .rejected(.keyFull)
        } else if count >= totalLimit {
            outcome = .rejected(.storeFull)
        } else {
            held.append(Held(record: record, expiresAt: expiresAt))
            count += 1
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

    /// Drops every record whose lifetime ended; returns how many.
    mutating func expire(now: DHTInstant) -> Int {
        var dropped = 0
        for key in Array(byKey.keys) {
            guard var held = byKey[key] else { continue }
            let before = held.count
            held.removeAll { $0.expiresAt <= now }
            dropped += before - held.count
            byKey[key] = held.isEmpty ? nil : held
        }
        count -= dropped
        return dropped
    }
}
