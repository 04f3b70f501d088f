/// Kademlia's routing table: k-buckets indexed by the length of the prefix a contact's ID shares with ours.
///
/// Rules (see docs/ARCHITECTURE.md and the Kademlia paper, §2.2 and §4.1):
/// - A contact enters only through ``observe(_:rtt:now:)``, which the caller invokes only when the contact
///   answered a request of ours from that address.
/// - Each bucket keeps at most k contacts in least-recently-seen order. A full bucket keeps its live contacts:
///   a newcomer waits in the bucket's replacement cache, and when the least-recently-seen contact is stale the
///   table asks for a ping (ping-before-evict). Only a contact that failed is replaced.
/// - Failures are counted per contact (``recordFailure(of:now:)``); a failed contact is replaced from the
///   replacement cache at once, or dropped after ``RoutingTableConfiguration/maxFailures`` without one. Contacts
///   with failures are not handed out by ``closest(to:count:excluding:)``, so a dead contact costs one timeout,
///   not one per lookup.
/// - An optional IP-diversity limit caps contacts of one network prefix per bucket.
///
/// A value type with no I/O: the owner passes `now` in.
public struct RoutingTable: Sendable {
    /// Our own ID.
    public let localID: NodeID
    /// The rules in force.
    public let configuration: RoutingTableConfiguration
    /// Buckets by shared-prefix length (index 0: IDs whose first bit differs from ours). Grown on demand up to
    /// the deepest bucket used, so a table of a large network holds ~log2(N/k) buckets, not 256.
    public private(set) var buckets: [KBucket] = []
    /// The number of contacts in all buckets (not counting replacement caches).
    public private(set) var count = 0
    private let createdAt: DHTInstant

    /// Creates an empty table.
    public init(
        localID: NodeID,
        configuration: RoutingTableConfiguration = RoutingTableConfiguration(),
        now: DHTInstant
    ) {
        self.localID = localID
        self.configuration = configuration
        self.createdAt = now
    }

    /// The bucket index for `id`: its shared-prefix length with our ID, 0...255 (256 only for our own ID).
    @inlinable public func bucketIndex(for id: NodeID) -> Int {
        localID.sharedPrefixLength(with: id)
    }

    /// Whether `id` is in a bucket (not counting replacement caches).
    public func contains(_ id: NodeID) -> Bool {
        entry(for: id) != nil
    }

    /// The entry for `id`, if it is in a bucket.
    public func entry(for id: NodeID) -> RoutingEntry? {
        let index = bucketIndex(for: id)
        guard index < buckets.count, let position = buckets[index].index(of: id) else { return nil }
        return buckets[index].entries[position]
    }

    /// Every contact in the buckets, nearest bucket last.
    public var contacts: [Contact] {
        buckets.flatMap { $0.entries.map(\.contact) }
    }

    /// What ``observe(_:rtt:now:)`` did with a contact.
    public enum ObservationOutcome: Hashable, Sendable {
        /// The contact took a free place in its bucket.
        case inserted
        /// The contact was known: it moved to the most-recently-seen end.
        case refreshed
        /// The contact took the place of one that had failed, which is attached.
        case replacedFailedContact(Contact)
        /// The bucket is full of live contacts: the contact waits in the replacement cache. When the
        /// least-recently-seen contact is stale, it is attached: ping it, and report a failure if it does not answer.
        case cached(pingBeforeEvicting: Contact?)
        /// The contact cannot enter: it is our own ID.
        case rejectedLocalID
        /// The contact cannot enter: its bucket holds the maximum of contacts of its network prefix.
        case rejectedByIPDiversity
    }

    /// Records that `contact` answered a request of ours (with a measured round trip, when there is one).
    ///
    /// The caller MUST only call this for a contact that answered from `contact.address`.
    @discardableResult
    public mutating func observe(_ contact: Contact, rtt: Duration? = nil, now: DHTInstant) -> ObservationOutcome {
        guard contact.id != localID else { return .rejectedLocalID }
        let index = bucketIndex(for: contact.id)
        ensureBucket(index, now: now)

        if let position = buckets[index].index(of: contact.id) {
            // A known contact that moved keeps its place only if its new address respects the diversity limit.
            if buckets[index].entries[position].contact.address != contact.address,
                violatesIPDiversity(contact, in: index)
            {
                return .rejectedByIPDiversity
            }
            var entry = buckets[index].entries.remove(at: position)
            entry.contact.address = contact.address
            entry.lastSeen = now
            entry.failures = 0
            if let rtt { entry.rtt.add(sample: rtt) }
            buckets[index].entries.append(entry)
            if buckets[index].contactUnderEvictionPing == contact.id {
                buckets[index].contactUnderEvictionPing = nil
            }
            return .refreshed
        }

        if violatesIPDiversity(contact, in: index) { return .rejectedByIPDiversity }

        var entry = RoutingEntry(contact: contact, lastSeen: now)
        if let rtt { entry.rtt.add(sample: rtt) }

        if buckets[index].entries.count < configuration.bucketSize {
            removeReplacement(contact.id, in: index)
            appendEntry(entry, in: index)
            buckets[index].lastActivity = now
            count += 1
            return .inserted
        }

        if let failed = mostFailedEntry(in: index) {
            let evicted = buckets[index].entries.remove(at: failed).contact
            removeReplacement(contact.id, in: index)
            buckets[index].entries.append(entry)
            buckets[index].lastActivity = now
            return .replacedFailedContact(evicted)
        }

        addReplacement(contact, in: index)
        let leastRecent = buckets[index].entries[0]
        if buckets[index].contactUnderEvictionPing == nil,
            now - leastRecent.lastSeen >= configuration.staleAfter
        {
            buckets[index].contactUnderEvictionPing = leastRecent.contact.id
            return .cached(pingBeforeEvicting: leastRecent.contact)
        }
        return .cached(pingBeforeEvicting: nil)
    }

    /// Whether a contact that is not yet known would find a place if it answered now: its bucket has room or a
    /// failed contact, or its least-recently-seen contact is stale. Use it to decide whether an unknown node that
    /// sent us a request is worth a verification ping.
    public func wouldAccept(_ contact: Contact, now: DHTInstant) -> Bool {
        guard contact.id != localID else { return false }
        let index = bucketIndex(for: contact.id)
        guard index < buckets.count else { return true }
        let bucket = buckets[index]
        if bucket.index(of: contact.id) != nil { return false }
        if violatesIPDiversity(contact, in: index) { return false }
        if bucket.entries.count < configuration.bucketSize { return true }
        if bucket.entries.contains(where: { $0.failures > 0 }) { return true }
        return bucket.contactUnderEvictionPing == nil
            && now - bucket.entries[0].lastSeen >= configuration.staleAfter
    }

    /// What ``recordFailure(of:now:)`` did.
    public enum FailureOutcome: Hashable, Sendable {
        /// The ID is not in a bucket.
        case unknownContact
        /// The failure was counted; the contact stays (not handed out until it answers again).
        case counted(failures: Int)
        /// The contact was dropped for the most recent replacement.
        case replaced(evicted: Contact, by: Contact)
        /// The contact reached the failure limit and was dropped; no replacement waited.
        case evicted(Contact)
    }

    /// Records that `id` did not answer a request (after the caller's retries).
    @discardableResult
    public mutating func recordFailure(of id: NodeID, now: DHTInstant) -> FailureOutcome {
        let index = bucketIndex(for: id)
        guard index < buckets.count, let position = buckets[index].index(of: id) else { return .unknownContact }
        if buckets[index].contactUnderEvictionPing == id {
            buckets[index].contactUnderEvictionPing = nil
        }
        buckets[index].entries[position].failures &+= 1
        let failures = Int(buckets[index].entries[position].failures)

        // The most recent replacement that keeps the diversity limit once the failed contact is gone.
        if let pick = buckets[index].replacements.lastIndex(where: {
            !violatesIPDiversity($0, in: index, ignoring: id)
        }) {
            let replacement = buckets[index].replacements.remove(at: pick)
            let evicted = buckets[index].entries.remove(at: position).contact
            // The replacement answered us recently (that is how it got into the cache): it enters as most recent.
            buckets[index].entries.append(RoutingEntry(contact: replacement, lastSeen: now))
            return .replaced(evicted: evicted, by: replacement)
        }
        if failures >= configuration.maxFailures {
            let evicted = buckets[index].entries.remove(at: position).contact
            count -= 1
            return .evicted(evicted)
        }
        return .counted(failures: failures)
    }

    /// Removes `id` from its bucket and replacement cache (for example when it proved to hold another ID).
    public mutating func remove(_ id: NodeID) {
        let index = bucketIndex(for: id)
        guard index < buckets.count else { return }
        removeReplacement(id, in: index)
        if let position = buckets[index].index(of: id) {
            buckets[index].entries.remove(at: position)
            count -= 1
            if buckets[index].contactUnderEvictionPing == id { buckets[index].contactUnderEvictionPing = nil }
        }
    }

    /// The `count` contacts closest to `target` by XOR distance (fewer when the table holds fewer), leaving out
    /// contacts that failed since they last answered and `excluded`, closest first.
    ///
    /// Walks only the buckets that can hold the answer: the bucket `target` falls in holds every contact that
    /// shares more bits with it than any other bucket's contacts do, then deeper buckets, then shallower ones.
    /// Within a tier only the closest `count` are kept as it is scanned (a bounded sorted insert), so a bootstrap
    /// node's 8,192-contact buckets cost one XOR and one comparison per contact, with no sort and no allocation
    /// beyond `count` entries.
    public func closest(to target: NodeID, count wanted: Int, excluding excluded: NodeID? = nil) -> [Contact] {
        guard wanted > 0, !buckets.isEmpty else { return [] }
        // Buckets form tiers ordered by distance to the target: the home bucket (its contacts share more than
        // `home` bits with the target), then all deeper buckets together (exactly `home` bits), then each
        // shallower bucket i (exactly i bits). Every contact of a tier is closer than every contact of the next.
        var result: [Contact] = []
        result.reserveCapacity(min(wanted, count))
        /// The closest contacts of the current tier, closest first, at most `wanted - result.count` of them.
        var tier: [(distance: NodeID, contact: Contact)] = []
        tier.reserveCapacity(min(wanted, count) + 1)

        func gather(_ bucket: Int) {
            let room = wanted - result.count
            for entry in buckets[bucket].entries where entry.failures == 0 && entry.contact.id != excluded {
                let distance = entry.contact.id.distance(to: target)
                if tier.count == room {
                    guard distance < tier[room - 1].distance else { continue }
                    tier.removeLast()
                }
                // The first position whose distance is greater: binary search in at most `wanted` entries.
                var low = 0
                var high = tier.count
                while low < high {
                    let middle = (low + high) / 2
                    if tier[middle].distance < distance { low = middle + 1 } else { high = middle }
                }
                tier.insert((distance, entry.contact), at: low)
            }
        }
        /// Moves the current tier into the result; returns whether the result is complete.
        func close() -> Bool {
            for entry in tier { result.append(entry.contact) }
            tier.removeAll(keepingCapacity: true)
            return result.count >= wanted
        }

        let home = bucketIndex(for: target)
        var next = buckets.count - 1
        var done = false
        if home < buckets.count {
            gather(home)
            done = close()
            if !done {
                for index in (home + 1)..<buckets.count { gather(index) }
                done = close()
            }
            next = home - 1
        }
        while !done, next >= 0 {
            gather(next)
            done = close()
            next -= 1
        }
        return result
    }

    /// How many contacts the table holds that are closer (XOR) to `target` than our own ID, counting at most
    /// `limit`. Contacts that failed since they last answered, and `excluded`, are not counted, as
    /// ``closest(to:count:excluding:)`` would not hand them out.
    ///
    /// Only the buckets that can hold closer contacts are read: every contact of the bucket `target` falls in is
    /// closer (it shares that bucket's prefix with us, and its next bit with the target, where ours differs);
    /// contacts of deeper buckets differ from the target where we do, and are compared; shallower buckets hold
    /// none.
    public func closerContactCount(to target: NodeID, excluding excluded: NodeID? = nil, limit: Int) -> Int {
        let home = bucketIndex(for: target)
        guard limit > 0, home < buckets.count else { return 0 }
        var found = 0
        for entry in buckets[home].entries where entry.failures == 0 && entry.contact.id != excluded {
            found += 1
            if found >= limit { return found }
        }
        let ours = localID.distance(to: target)
        for index in (home + 1)..<buckets.count {
            for entry in buckets[index].entries
            where entry.failures == 0 && entry.contact.id != excluded && entry.contact.id.distance(to: target) < ours {
                found += 1
                if found >= limit { return found }
            }
        }
        return found
    }

    /// Notes that a lookup aimed into the bucket of `target`, which postpones that bucket's refresh.
    public mutating func markActivity(toward target: NodeID, now: DHTInstant) {
        let index = min(bucketIndex(for: target), max(0, buckets.count - 1))
        guard index < buckets.count else { return }
        buckets[index].lastActivity = now
    }

    /// Indices of buckets with no lookup or new contact for `interval`: refresh each with a lookup of a random ID
    /// in its range. Covers every bucket up to the deepest one in use.
    public func bucketsDueForRefresh(now: DHTInstant, interval: Duration) -> [Int] {
        buckets.indices.filter { now - buckets[$0].lastActivity >= interval }
    }

    /// The earliest instant a bucket becomes due for refresh, or `nil` with no buckets.
    public func nextRefreshDeadline(interval: Duration) -> DHTInstant? {
        buckets.map(\.lastActivity).min().map { $0 + interval }
    }

    /// Appends without letting the array grow past k (Swift doubles capacity; a bucket never needs more than k).
    private mutating func appendEntry(_ entry: RoutingEntry, in index: Int) {
        let capacity = buckets[index].entries.capacity
        if buckets[index].entries.count == capacity {
            buckets[index].entries.reserveCapacity(min(configuration.bucketSize, max(4, capacity * 2)))
        }
        buckets[index].entries.append(entry)
    }

    private mutating func ensureBucket(_ index: Int, now: DHTInstant) {
        while buckets.count <= index {
            buckets.append(KBucket(now: now))
        }
    }

    private func violatesIPDiversity(_ contact: Contact, in index: Int, ignoring ignored: NodeID? = nil) -> Bool {
        guard let limit = configuration.ipDiversity, index < buckets.count else { return false }
        if limit.exemptsLoopback, contact.address.isLoopback { return false }
        var same = 0
        for entry in buckets[index].entries
        where entry.contact.id != contact.id && entry.contact.id != ignored
            && entry.contact.address.sharesNetwork(
                with: contact.address,
                ipv4Bits: limit.ipv4PrefixLength,
                ipv6Bits: limit.ipv6PrefixLength
            )
        {
            same += 1
            if same >= limit.maxPerPrefix { return true }
        }
        return false
    }

    private func mostFailedEntry(in index: Int) -> Int? {
        var best: Int?
        for (position, entry) in buckets[index].entries.enumerated() where entry.failures > 0 {
            if let current = best, buckets[index].entries[current].failures >= entry.failures { continue }
            best = position
        }
        return best
    }

    private mutating func addReplacement(_ contact: Contact, in index: Int) {
        removeReplacement(contact.id, in: index)
        guard configuration.replacementCacheSize > 0 else { return }
        if buckets[index].replacements.count >= configuration.replacementCacheSize {
            buckets[index].replacements.removeFirst()
        }
        buckets[index].replacements.append(contact)
    }

    private mutating func removeReplacement(_ id: NodeID, in index: Int) {
        buckets[index].replacements.removeAll { $0.id == id }
    }
}
