import Testing

@testable import Kademlia

@Suite("RoutingTable")
struct RoutingTableTests {
    let localID = try! NodeID(hex: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a")
    let start = DHTInstant.seconds(100)

    /// `count` contacts in bucket `bucket`, each from its own /24, numbered from `firstIndex`.
    func contacts(inBucket bucket: Int, count: Int, firstIndex: Int = 0, seed: UInt64 = 1) -> [Contact] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map {
            TestIDs.contact(localID.randomID(sharingPrefixLength: bucket, using: &random), firstIndex + $0)
        }
    }

    /// A table whose bucket 0 is full: contact i observed at `start + i` seconds, so contact 0 is least recent.
    func fullBucket(configuration: RoutingTableConfiguration = RoutingTableConfiguration()) -> (RoutingTable, [Contact]) {
        var table = RoutingTable(localID: localID, configuration: configuration, now: start)
        let members = contacts(inBucket: 0, count: configuration.bucketSize)
        for (offset, contact) in members.enumerated() {
            #expect(table.observe(contact, now: start + .seconds(offset)) == .inserted)
        }
        #expect(table.count == configuration.bucketSize)
        return (table, members)
    }

    @Test("bucket index is the shared-prefix length: 0 and 255 at the edges")
    func bucketIndexEdges() {
        var table = RoutingTable(localID: localID, now: start)
        let farthest = Contact(id: localID.flippingBit(0), address: TestIDs.address(1))
        let nearest = Contact(id: localID.flippingBit(255), address: TestIDs.address(2))
        #expect(table.bucketIndex(for: farthest.id) == 0)
        #expect(table.bucketIndex(for: nearest.id) == 255)
        #expect(table.bucketIndex(for: localID) == 256)
        #expect(table.observe(farthest, now: start) == .inserted)
        #expect(table.buckets.count == 1)
        #expect(table.observe(nearest, now: start) == .inserted)
        #expect(table.buckets.count == 256)
        #expect(table.buckets[0].entries.map(\.contact) == [farthest])
        #expect(table.buckets[255].entries.map(\.contact) == [nearest])
        #expect((1..<255).allSatisfy { table.buckets[$0].entries.isEmpty })
        #expect(table.count == 2)
    }

    @Test("a full bucket keeps its live least-recently-seen contact; ping-before-evict only once it is stale")
    func fullBucketKeepsLiveContact() throws {
        var (table, members) = fullBucket()
        let leastRecent = members[0]
        let newcomer = contacts(inBucket: 0, count: 1, firstIndex: 100, seed: 2)[0]
        let staleAfter = table.configuration.staleAfter

        // The LRS is fresh: the newcomer waits, nobody is pinged.
        #expect(table.observe(newcomer, now: start + .seconds(30)) == .cached(pingBeforeEvicting: nil))
        #expect(!table.contains(newcomer.id))
        #expect(table.buckets[0].replacements == [newcomer])
        #expect(table.buckets[0].contactUnderEvictionPing == nil)

        // Just before it turns stale: still no ping.
        let almostStale = start + staleAfter - .nanoseconds(1)
        #expect(table.observe(newcomer, now: almostStale) == .cached(pingBeforeEvicting: nil))

        // Stale: the LRS is to be pinged before it may be evicted.
        let stale = start + staleAfter
        #expect(table.observe(newcomer, now: stale) == .cached(pingBeforeEvicting: leastRecent))
        #expect(table.buckets[0].contactUnderEvictionPing == leastRecent.id)
        #expect(table.contains(leastRecent.id))
        #expect(!table.contains(newcomer.id))
        // While that ping is out, no second ping is asked for.
        let another = contacts(inBucket: 0, count: 1, firstIndex: 101, seed: 3)[0]
        #expect(table.observe(another, now: stale) == .cached(pingBeforeEvicting: nil))

        // The LRS answers: it stays, now most recent; the newcomer stays out, in the replacement cache.
        #expect(table.observe(leastRecent, now: stale + .seconds(1)) == .refreshed)
        #expect(table.buckets[0].entries.last?.contact == leastRecent)
        #expect(table.buckets[0].entries.first?.contact == members[1])
        #expect(try #require(table.entry(for: leastRecent.id)).lastSeen == stale + .seconds(1))
        #expect(table.buckets[0].contactUnderEvictionPing == nil)
        #expect(!table.contains(newcomer.id))
        #expect(table.buckets[0].replacements.contains(newcomer))
        #expect(table.count == 20)
        #expect(Set(table.buckets[0].entries.map(\.contact)) == Set(members))
    }

    @Test("a contact that fails its ping is replaced from the replacement cache")
    func failedPingReplaced() {
        var (table, members) = fullBucket()
        let leastRecent = members[0]
        let newcomer = contacts(inBucket: 0, count: 1, firstIndex: 100, seed: 2)[0]
        let stale = start + table.configuration.staleAfter
        #expect(table.observe(newcomer, now: stale) == .cached(pingBeforeEvicting: leastRecent))

        #expect(table.recordFailure(of: leastRecent.id, now: stale + .seconds(2)) == .replaced(evicted: leastRecent, by: newcomer))
        #expect(table.contains(newcomer.id))
        #expect(!table.contains(leastRecent.id))
        #expect(table.buckets[0].entries.last?.contact == newcomer)
        #expect(table.buckets[0].replacements.isEmpty)
        #expect(table.buckets[0].contactUnderEvictionPing == nil)
        #expect(table.count == 20)
        #expect(table.buckets[0].entries.count == 20)
    }

    @Test("without a replacement, failures are counted and the contact is dropped at maxFailures")
    func failuresCountedThenDropped() throws {
        var table = RoutingTable(localID: localID, now: start)
        let members = contacts(inBucket: 0, count: 3)
        for contact in members { table.observe(contact, now: start) }
        let victim = members[1]

        #expect(table.recordFailure(of: victim.id, now: start) == .counted(failures: 1))
        #expect(table.contains(victim.id))
        #expect(try #require(table.entry(for: victim.id)).failures == 1)
        // A failed contact is not handed out.
        #expect(!table.closest(to: victim.id, count: 20).contains(victim))
        #expect(table.closest(to: victim.id, count: 20).count == 2)

        #expect(table.recordFailure(of: victim.id, now: start) == .counted(failures: 2))
        #expect(table.recordFailure(of: victim.id, now: start) == .evicted(victim))
        #expect(!table.contains(victim.id))
        #expect(table.count == 2)
        #expect(table.recordFailure(of: victim.id, now: start) == .unknownContact)
    }

    @Test("a failed contact that answers again is reset and handed out again")
    func answeringResetsFailures() throws {
        var table = RoutingTable(localID: localID, now: start)
        let members = contacts(inBucket: 2, count: 4)
        for contact in members { table.observe(contact, now: start) }
        let victim = members[0]
        #expect(table.recordFailure(of: victim.id, now: start) == .counted(failures: 1))
        #expect(table.recordFailure(of: victim.id, now: start) == .counted(failures: 2))
        #expect(table.closest(to: victim.id, count: 1) != [victim])

        #expect(table.observe(victim, now: start + .seconds(5)) == .refreshed)
        #expect(try #require(table.entry(for: victim.id)).failures == 0)
        #expect(table.closest(to: victim.id, count: 1) == [victim])
        // The count starts again from zero.
        #expect(table.recordFailure(of: victim.id, now: start) == .counted(failures: 1))
    }

    @Test("a newcomer takes the place of a contact that already failed")
    func newcomerReplacesFailedContact() {
        var (table, members) = fullBucket()
        let failed = members[7]
        #expect(table.recordFailure(of: failed.id, now: start + .seconds(40)) == .counted(failures: 1))
        let newcomer = contacts(inBucket: 0, count: 1, firstIndex: 100, seed: 2)[0]
        #expect(table.observe(newcomer, now: start + .seconds(41)) == .replacedFailedContact(failed))
        #expect(table.contains(newcomer.id))
        #expect(!table.contains(failed.id))
        #expect(table.count == 20)
        #expect(table.buckets[0].entries.count == 20)
        #expect(table.buckets[0].entries.last?.contact == newcomer)
    }

    @Test("the contact with the most failures is the one replaced")
    func mostFailedIsReplaced() {
        var (table, members) = fullBucket()
        table.recordFailure(of: members[3].id, now: start)
        table.recordFailure(of: members[9].id, now: start)
        table.recordFailure(of: members[9].id, now: start)
        let newcomer = contacts(inBucket: 0, count: 1, firstIndex: 100, seed: 2)[0]
        #expect(table.observe(newcomer, now: start) == .replacedFailedContact(members[9]))
    }

    @Test("IP diversity: a third contact of one /24 in a bucket is rejected; other buckets are separate")
    func ipDiversityLimit() throws {
        var table = RoutingTable(localID: localID, now: start)
        var random = SeededRandom(seed: 5)
        func inNetwork(_ bucket: Int, host: UInt32) -> Contact {
            Contact(id: localID.randomID(sharingPrefixLength: bucket, using: &random), address: NodeAddress(ipv4: 0xc0a8_0100 | host, port: 4000))
        }
        let first = inNetwork(0, host: 1)
        let second = inNetwork(0, host: 2)
        let third = inNetwork(0, host: 3)
        #expect(table.observe(first, now: start) == .inserted)
        #expect(table.observe(second, now: start) == .inserted)
        #expect(table.observe(third, now: start) == .rejectedByIPDiversity)
        #expect(!table.contains(third.id))
        #expect(!table.wouldAccept(third, now: start))
        // Another bucket has its own allowance.
        #expect(table.observe(inNetwork(1, host: 4), now: start) == .inserted)
        // Another /24 in the same bucket is fine.
        let elsewhere = Contact(id: localID.randomID(sharingPrefixLength: 0, using: &random), address: try NodeAddress(parsing: "192.168.2.1:4000"))
        #expect(table.observe(elsewhere, now: start) == .inserted)
        // A known contact moving within its /24 is not counted against itself.
        var moved = first
        moved.address = NodeAddress(ipv4: 0xc0a8_0109, port: 4001)
        #expect(table.observe(moved, now: start) == .refreshed)
        #expect(table.entry(for: first.id)?.contact.address == moved.address)
    }

    @Test("IP diversity: a known contact that moves into a full /24 does not exceed the limit")
    func ipDiversityOnAddressChange() throws {
        var table = RoutingTable(localID: localID, now: start)
        var random = SeededRandom(seed: 12)
        func contact(_ address: String) throws -> Contact {
            Contact(id: localID.randomID(sharingPrefixLength: 0, using: &random), address: try NodeAddress(parsing: address))
        }
        let a = try contact("192.168.1.1:4000")
        let b = try contact("192.168.1.2:4000")
        let c = try contact("172.16.0.1:4000")
        for member in [a, b, c] { #expect(table.observe(member, now: start) == .inserted) }
        var moved = c
        moved.address = try NodeAddress(parsing: "192.168.1.3:4000")
        table.observe(moved, now: start + .seconds(1))
        let limit = try #require(table.configuration.ipDiversity)
        let sameNetwork = table.buckets[0].entries.filter {
            $0.contact.address.sharesNetwork(with: a.address, ipv4Bits: limit.ipv4PrefixLength, ipv6Bits: limit.ipv6PrefixLength)
        }
        #expect(sameNetwork.count <= limit.maxPerPrefix)
    }

    @Test("IP diversity: IPv6 contacts are limited per /64")
    func ipDiversityIPv6() throws {
        var table = RoutingTable(localID: localID, now: start)
        var random = SeededRandom(seed: 6)
        let addresses = ["[2001:db8:0:1::1]:1", "[2001:db8:0:1::2]:1", "[2001:db8:0:1:ffff::3]:1", "[2001:db8:0:2::1]:1"]
        var outcomes: [RoutingTable.ObservationOutcome] = []
        for text in addresses {
            let contact = Contact(id: localID.randomID(sharingPrefixLength: 0, using: &random), address: try NodeAddress(parsing: text))
            outcomes.append(table.observe(contact, now: start))
        }
        #expect(outcomes == [.inserted, .inserted, .rejectedByIPDiversity, .inserted])
    }

    @Test("IP diversity off: a third contact of one /24 enters")
    func ipDiversityOff() {
        var configuration = RoutingTableConfiguration()
        configuration.ipDiversity = nil
        var table = RoutingTable(localID: localID, configuration: configuration, now: start)
        var random = SeededRandom(seed: 5)
        for host in UInt32(1)...5 {
            let contact = Contact(id: localID.randomID(sharingPrefixLength: 0, using: &random), address: NodeAddress(ipv4: 0xc0a8_0100 | host, port: 4000))
            #expect(table.observe(contact, now: start) == .inserted)
        }
        #expect(table.count == 5)
    }

    @Test("our own ID is rejected")
    func ownIDRejected() {
        var table = RoutingTable(localID: localID, now: start)
        let me = Contact(id: localID, address: TestIDs.address(1))
        #expect(table.observe(me, now: start) == .rejectedLocalID)
        #expect(!table.wouldAccept(me, now: start))
        #expect(table.count == 0)
        #expect(!table.contains(localID))
        #expect(table.recordFailure(of: localID, now: start) == .unknownContact)
    }

    @Test("the replacement cache is bounded and keeps the most recent newcomers")
    func replacementCacheBounded() {
        var configuration = RoutingTableConfiguration()
        configuration.replacementCacheSize = 3
        var (table, _) = fullBucket(configuration: configuration)
        let newcomers = contacts(inBucket: 0, count: 6, firstIndex: 100, seed: 9)
        for contact in newcomers {
            #expect(table.observe(contact, now: start + .seconds(30)) == .cached(pingBeforeEvicting: nil))
        }
        #expect(table.buckets[0].replacements == Array(newcomers.suffix(3)))
        // Seen again, a cached contact moves to the most recent end without growing the cache.
        table.observe(newcomers[3], now: start + .seconds(31))
        #expect(table.buckets[0].replacements == [newcomers[4], newcomers[5], newcomers[3]])

        configuration.replacementCacheSize = 0
        var (noCache, _) = fullBucket(configuration: configuration)
        #expect(noCache.observe(newcomers[0], now: start + .seconds(30)) == .cached(pingBeforeEvicting: nil))
        #expect(noCache.buckets[0].replacements.isEmpty)
    }

    @Test("closest(to:count:) holds the same contacts as a brute-force sort by XOR distance")
    func closestMatchesBruteForce() {
        var configuration = RoutingTableConfiguration()
        configuration.ipDiversity = nil
        var table = RoutingTable(localID: localID, configuration: configuration, now: start)
        var random = SeededRandom(seed: 2024)
        var index = 0
        // Uniform IDs fill the shallow buckets; IDs near ours fill the deep ones.
        for _ in 0..<300 {
            table.observe(TestIDs.contact(NodeID.random(using: &random), index), now: start)
            index += 1
        }
        for length in 0..<24 {
            for _ in 0..<8 {
                table.observe(TestIDs.contact(localID.randomID(sharingPrefixLength: length, using: &random), index), now: start)
                index += 1
            }
        }
        let all = table.contacts
        #expect(all.count == table.count)
        #expect(all.count > 250)
        let ids = all.map(\.id)

        var targets: [NodeID] = [localID, .zero, .max, localID.flippingBit(0), localID.flippingBit(255)]
        targets += (0..<200).map { _ in NodeID.random(using: &random) }
        targets += (0..<100).map { _ in localID.randomID(sharingPrefixLength: Int.random(in: 0...40, using: &random), using: &random) }
        targets += ids.prefix(20)
        for target in targets {
            for count in [1, 3, 20, 1000] {
                let got = table.closest(to: target, count: count).map(\.id)
                #expect(got == TestIDs.bruteForceClosest(to: target, among: ids, count: count), "target \(target), count \(count)")
            }
        }
        #expect(table.closest(to: localID, count: 0).isEmpty)
    }

    @Test("closest(to:count:) with a bootstrap node's 8,192-contact buckets: the true closest, closest first")
    func closestWithLargeBuckets() {
        var configuration = RoutingTableConfiguration()
        configuration.ipDiversity = nil
        configuration.bucketSize = 8192
        var table = RoutingTable(localID: localID, configuration: configuration, now: start)
        var random = SeededRandom(seed: 10_000)
        for index in 0..<10_000 {
            table.observe(TestIDs.contact(NodeID.random(using: &random), index), now: start)
        }
        #expect(table.count == 10_000)
        let ids = table.contacts.map(\.id)
        var targets: [NodeID] = [localID, .zero, .max]
        targets += (0..<50).map { _ in NodeID.random(using: &random) }
        targets += ids.prefix(5)
        for target in targets {
            for count in [1, 20, 100] {
                let got = table.closest(to: target, count: count).map(\.id)
                #expect(got == TestIDs.bruteForceClosest(to: target, among: ids, count: count), "target \(target), count \(count)")
            }
        }
    }

    @Test("closest(to:count:excluding:) leaves that contact out")
    func closestExcluding() {
        var configuration = RoutingTableConfiguration()
        configuration.ipDiversity = nil
        var table = RoutingTable(localID: localID, configuration: configuration, now: start)
        var random = SeededRandom(seed: 77)
        for index in 0..<200 {
            table.observe(TestIDs.contact(NodeID.random(using: &random), index), now: start)
        }
        let ids = table.contacts.map(\.id)
        for excluded in ids.prefix(40) {
            let target = excluded.flippingBit(250)
            let got = TestIDs.sortedByDistance(table.closest(to: target, count: 20, excluding: excluded).map(\.id), to: target)
            #expect(!got.contains(excluded))
            #expect(got == TestIDs.bruteForceClosest(to: target, among: ids.filter { $0 != excluded }, count: 20))
            // Without excluding, the excluded contact is the closest.
            #expect(table.closest(to: target, count: 1).first?.id == excluded)
        }
    }

    @Test("closest on an empty table is empty")
    func closestEmpty() {
        let table = RoutingTable(localID: localID, now: start)
        #expect(table.closest(to: localID, count: 20).isEmpty)
    }

    @Test("wouldAccept: room, known, fresh full bucket, stale, ping under way, failed contact")
    func wouldAcceptCases() {
        let newcomer = contacts(inBucket: 0, count: 1, firstIndex: 100, seed: 2)[0]
        let empty = RoutingTable(localID: localID, now: start)
        #expect(empty.wouldAccept(newcomer, now: start))

        var (table, members) = fullBucket()
        // Known contacts are not "accepted" again.
        #expect(!table.wouldAccept(members[0], now: start))
        // Room in another bucket.
        #expect(table.wouldAccept(contacts(inBucket: 1, count: 1, firstIndex: 200, seed: 4)[0], now: start))
        // Full bucket, LRS fresh.
        #expect(!table.wouldAccept(newcomer, now: start + .seconds(60)))
        // Full bucket, LRS stale.
        let stale = start + table.configuration.staleAfter
        #expect(table.wouldAccept(newcomer, now: stale))
        // Once the eviction ping is under way, no more.
        let other = contacts(inBucket: 0, count: 1, firstIndex: 101, seed: 3)[0]
        #expect(table.observe(other, now: stale) == .cached(pingBeforeEvicting: members[0]))
        #expect(!table.wouldAccept(newcomer, now: stale))
        // A contact with failures makes room.
        var (withFailure, failing) = fullBucket()
        withFailure.recordFailure(of: failing[5].id, now: start)
        #expect(withFailure.wouldAccept(newcomer, now: start + .seconds(60)))
    }

    @Test("bucketsDueForRefresh: buckets with no activity for the interval")
    func bucketsDueForRefresh() {
        var table = RoutingTable(localID: localID, now: .zero)
        let hour = Duration.seconds(3600)
        #expect(table.bucketsDueForRefresh(now: .seconds(10_000), interval: hour).isEmpty)
        #expect(table.nextRefreshDeadline(interval: hour) == nil)

        // Bucket 3 used at t=0 creates buckets 0...3, all active at t=0.
        table.observe(contacts(inBucket: 3, count: 1)[0], now: .zero)
        #expect(table.buckets.count == 4)
        #expect(table.bucketsDueForRefresh(now: .seconds(3599), interval: hour).isEmpty)
        #expect(table.nextRefreshDeadline(interval: hour) == .seconds(3600))

        // At t=1800 a lookup aims into bucket 1 and a contact enters bucket 2.
        var random = SeededRandom(seed: 3)
        table.markActivity(toward: localID.randomID(sharingPrefixLength: 1, using: &random), now: .seconds(1800))
        table.observe(contacts(inBucket: 2, count: 1, firstIndex: 50)[0], now: .seconds(1800))

        #expect(table.bucketsDueForRefresh(now: .seconds(3600), interval: hour) == [0, 3])
        #expect(table.bucketsDueForRefresh(now: .seconds(5399), interval: hour) == [0, 3])
        #expect(table.bucketsDueForRefresh(now: .seconds(5400), interval: hour) == [0, 1, 2, 3])

        // A lookup aimed deeper than the deepest bucket counts for the deepest one.
        table.markActivity(toward: localID.flippingBit(200), now: .seconds(5400))
        #expect(table.bucketsDueForRefresh(now: .seconds(5400), interval: hour) == [0, 1, 2])
    }

    @Test("remove takes a contact out of its bucket and replacement cache")
    func removeContact() {
        var (table, members) = fullBucket()
        let newcomer = contacts(inBucket: 0, count: 1, firstIndex: 100, seed: 2)[0]
        table.observe(newcomer, now: start + .seconds(30))
        table.remove(members[4].id)
        table.remove(newcomer.id)
        #expect(!table.contains(members[4].id))
        #expect(table.count == 19)
        #expect(table.buckets[0].replacements.isEmpty)
    }

    @Test("an RTT sample is kept with the entry")
    func rttRecorded() throws {
        var table = RoutingTable(localID: localID, now: start)
        let contact = contacts(inBucket: 0, count: 1)[0]
        table.observe(contact, rtt: .milliseconds(80), now: start)
        let entry = try #require(table.entry(for: contact.id))
        #expect(entry.rtt.smoothed == .milliseconds(80))
        // 80 ms + 4 × 40 ms variance.
        #expect(entry.rtt.timeout(initial: .seconds(1), minimum: .milliseconds(50), maximum: .seconds(4)) == .milliseconds(240))
    }
}
