import HeapModule

/// Records under keys, each with the source IP that stored it and an expiry instant: the storage behind
/// ``ValueStore`` and ``ProviderStore``.
///
/// Capped per key, per source (an IPv4 address or an IPv6 /64), per network (an IPv4 /24 or an IPv6 /48) and in
/// total. A full table makes room by evicting a record of the key farthest (XOR) from `center`, the node's own ID, and
/// refuses only a record whose key is at least as far as every key held: a flood of records for random keys can fill
/// the table, but a record for a key near the node, the keys it is responsible for, always gets in.
///
/// Memory: a record costs its `Held` (88 bytes for a provider, 80 for a value, plus the value's bytes in an array of
/// their own) in a one-element array when it is alone under its key, as a flood's records are (32 bytes of array
/// header, 128 bytes with malloc's rounding), a slot in `byKey` (a 32-byte key and an 8-byte reference, at a load
/// of at most 3/4) and a 32-byte distance in `farthest`. Measured resident in full stores (`RecordMemoryTests`):
/// 154 bytes a provider record, 220 bytes a value record besides the value's bytes.
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

    /// Distances are measured from this ID (the node's own).
    let center: NodeID
    /// Records by key, oldest first. A key whose records all expired may stay with an empty list until the next
    /// ``expire(now:)``, so that `farthest` holds exactly one distance per key here.
    private var byKey: [RecordKey: [Held]] = [:]
    /// The distance from `center` of every key in `byKey`, farthest on top.
    private var farthest = Heap<NodeID>()
    /// Records held per source (an IPv4 address or IPv6 /64), including expired ones not yet swept; a source with
    /// none has no entry.
    private var bySource: [AddressPrefix: Int] = [:]
    /// Records held per network (an IPv4 /24 or IPv6 /48), the same way.
    private var byNetwork: [AddressPrefix: Int] = [:]
    /// Records held, including expired ones not yet swept.
    private(set) var count = 0
    /// Records evicted so far to make room for a record nearer `center`.
    private(set) var evictions = 0

    /// An empty table that measures distances from `center`.
    init(center: NodeID) {
        self.center = center
    }

    /// Keys with at least one record (counts the keys: for tests and reports, not for a hot path).
    var keyCount: Int { byKey.values.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) } }

    /// Records held that the source of `host` stored (including expired ones not yet swept).
    func count(from host: NodeAddress.Host) -> Int { bySource[host.sourcePrefix] ?? 0 }

    /// Records held that the network of `host` stored (including expired ones not yet swept).
    func networkCount(from host: NodeAddress.Host) -> Int { byNetwork[host.networkPrefix] ?? 0 }

    /// What the source and network of `host` hold here.
    func usage(of host: NodeAddress.Host) -> RecordSourceUsage {
        RecordSourceUsage(source: count(from: host), network: networkCount(from: host))
    }

    /// Holds `record` from `source` under `key` until `expiresAt`.
    ///
    /// A held record for which `isSame` is true is replaced (a fresh lifetime; it now counts for `source`).
    /// Otherwise expired records of the key are dropped and the caps are checked in this order: the key
    /// (``StoreRejection/keyFull``), the source and its network, counting what they hold `elsewhere` (in the store
    /// that shares the caps: ``StoreRejection/sourceFull``, ``StoreRejection/networkFull``), then the total: a full
    /// table evicts the oldest record of its farthest key when that key is farther from `center` than `key`, and
    /// refuses with ``StoreRejection/storeFull`` otherwise.
    mutating func insert(
        _ record: Record,
        from source: NodeAddress.Host,
        under key: RecordKey,
        expiresAt: DHTInstant,
        now: DHTInstant,
        caps: RecordCaps,
        elsewhere: RecordSourceUsage,
        isSame: (Record) -> Bool
    ) -> StoreOutcome {
        let existing = byKey[key]
        if let index = existing?.firstIndex(where: { isSame($0.record) }) {
            let previous = existing![index].source
            if previous != source {
                uncount(previous)
                if let refusal = refusal(for: source, caps: caps, elsewhere: elsewhere) {
                    count(previous)
                    return .rejected(refusal)
                }
                count(source)
            }
            byKey[key]![index] = Held(record: record, source: source, expiresAt: expiresAt)
            return .replaced
        }
        if existing != nil { dropExpired(under: key, now: now) }
        if (byKey[key]?.count ?? 0) >= caps.perKey { return .rejected(.keyFull) }
        if let refusal = refusal(for: source, caps: caps, elsewhere: elsewhere) { return .rejected(refusal) }
        let distance = key.distance(to: center)
        if count >= caps.total, !evictFarthest(fartherThan: distance) { return .rejected(.storeFull) }
        let held = Held(record: record, source: source, expiresAt: expiresAt)
        if byKey[key] == nil {
            byKey[key] = [held]
            farthest.insert(distance)
        } else {
            byKey[key]!.append(held)
        }
        count += 1
        count(source)
        return .stored
    }

    /// The records under `key` whose lifetime has not ended, oldest first.
    func live(under key: RecordKey, now: DHTInstant) -> [Record] {
        guard let held = byKey[key] else { return [] }
        return held.filter { $0.expiresAt > now }.map(\.record)
    }

    /// The oldest live record under `key`, with its source and expiry.
    func liveEntry(under key: RecordKey, now: DHTInstant) -> Entry? {
        guard let held = byKey[key]?.first(where: { $0.expiresAt > now }) else { return nil }
        return Entry(key: key, record: held.record, source: held.source, expiresAt: held.expiresAt)
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

    /// The live records of the keys nearest `center`, at most `limit` of them (whole keys, while they fit), in the
    /// order of ``liveEntries(now:)``.
    func liveEntries(now: DHTInstant, nearest limit: Int) -> [Entry] {
        guard count > limit else { return liveEntries(now: now) }
        var chosen: [RecordKey] = []
        var taken = 0
        for key in byKey.keys.sorted(by: { $0.distance(to: center) < $1.distance(to: center) }) {
            let live = byKey[key, default: []].reduce(0) { $0 + ($1.expiresAt > now ? 1 : 0) }
            guard taken + live <= limit else { break }
            taken += live
            chosen.append(key)
        }
        return chosen.sorted().flatMap { key in
            byKey[key, default: []].lazy.filter { $0.expiresAt > now }.map {
                Entry(key: key, record: $0.record, source: $0.source, expiresAt: $0.expiresAt)
            }
        }
    }

    /// Drops every record whose lifetime ended, and keys left with none; returns how many records.
    mutating func expire(now: DHTInstant) -> Int {
        let before = count
        let keysBefore = byKey.count
        for key in Array(byKey.keys) {
            dropExpired(under: key, now: now)
            if byKey[key]?.isEmpty == true { byKey[key] = nil }
        }
        if byKey.count != keysBefore {
            let center = center
            farthest = Heap(byKey.keys.map { $0.distance(to: center) })
        }
        if bySource.isEmpty, bySource.capacity > 64 { bySource = [:] }
        if byNetwork.isEmpty, byNetwork.capacity > 64 { byNetwork = [:] }
        return before - count
    }

    /// Why the source and network of `host` may not add a record, or `nil` when they may.
    private func refusal(
        for host: NodeAddress.Host,
        caps: RecordCaps,
        elsewhere: RecordSourceUsage
    ) -> StoreRejection? {
        if count(from: host) + elsewhere.source >= caps.perSource { return .sourceFull }
        if networkCount(from: host) + elsewhere.network >= caps.perNetwork { return .networkFull }
        return nil
    }

    /// Evicts the oldest record of the key farthest from `center`, if that key is farther than `distance`; returns
    /// whether it did. Keys whose records all expired are dropped on the way.
    private mutating func evictFarthest(fartherThan distance: NodeID) -> Bool {
        while let top = farthest.max, distance < top {
            let key = top.distance(to: center)
            guard let held = byKey[key], let oldest = held.first else {
                byKey[key] = nil
                _ = farthest.popMax()
                continue
            }
            uncount(oldest.source)
            count -= 1
            evictions += 1
            if held.count == 1 {
                byKey[key] = nil
                _ = farthest.popMax()
            } else {
                byKey[key]!.removeFirst()
            }
            return true
        }
        return false
    }

    /// Removes the records under `key` that `matches` picks, and their counts; an emptied key keeps its list.
    mutating func remove(under key: RecordKey, where matches: (Record) -> Bool) {
        guard let held = byKey[key], held.contains(where: { matches($0.record) }) else { return }
        var kept = held
        kept.removeAll { record in
            guard matches(record.record) else { return false }
            uncount(record.source)
            return true
        }
        count -= held.count - kept.count
        byKey[key] = kept
    }

    /// Removes the expired records under `key` and their counts; an emptied key keeps its (empty) list.
    private mutating func dropExpired(under key: RecordKey, now: DHTInstant) {
        guard let held = byKey[key], held.contains(where: { $0.expiresAt <= now }) else { return }
        var kept = held
        kept.removeAll { record in
            guard record.expiresAt <= now else { return false }
            uncount(record.source)
            return true
        }
        count -= held.count - kept.count
        byKey[key] = kept
    }

    /// One record more for the source and the network of `host`.
    private mutating func count(_ host: NodeAddress.Host) {
        bySource[host.sourcePrefix, default: 0] += 1
        byNetwork[host.networkPrefix, default: 0] += 1
    }

    /// One record less for the source and the network of `host`; one with none left is forgotten, so the counts
    /// stay bounded by the records held.
    private mutating func uncount(_ host: NodeAddress.Host) {
        Self.decrement(&bySource, at: host.sourcePrefix)
        Self.decrement(&byNetwork, at: host.networkPrefix)
    }

    private static func decrement(_ counts: inout [AddressPrefix: Int], at prefix: AddressPrefix) {
        guard let held = counts[prefix] else { return }
        counts[prefix] = held > 1 ? held - 1 : nil
    }
}

/// The caps one insertion into an ``ExpiringRecordTable`` is checked against.
struct RecordCaps: Sendable {
    var perKey: Int
    var perSource: Int
    var perNetwork: Int
    var total: Int
}

/// Records that one source and its network hold in a store: what the other store that shares the caps passes in.
public struct RecordSourceUsage: Hashable, Sendable {
    /// Records of the source (an IPv4 address or an IPv6 /64).
    public var source: Int
    /// Records of its network (an IPv4 /24 or an IPv6 /48).
    public var network: Int

    /// Usage counts.
    public init(source: Int = 0, network: Int = 0) {
        self.source = source
        self.network = network
    }

    /// Nothing held.
    public static let none = RecordSourceUsage()

    /// What two stores hold together.
    public static func + (lhs: RecordSourceUsage, rhs: RecordSourceUsage) -> RecordSourceUsage {
        RecordSourceUsage(source: lhs.source + rhs.source, network: lhs.network + rhs.network)
    }
}
