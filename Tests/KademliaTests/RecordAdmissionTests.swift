import Testing

@testable import Kademlia

/// What a node takes when others flood it with STOREs and ADD_PROVIDERs: only keys it is among the k closest to,
/// per-source and per-network caps, and farthest-first eviction when full.
@Suite("Record admission under floods")
struct RecordAdmissionTests {
    let t0 = DHTInstant.seconds(1000)

    /// An IPv4 host `10.N.S.H` for network `network` (a /24 each) and host `host` in it.
    static func v4(network: Int, host: Int) -> NodeAddress.Host {
        .ipv4(0x0a00_0000 | UInt32(network & 0xffff) << 8 | UInt32(host & 0xff))
    }

    /// An IPv6 host in /48 number `site`, /64 number `subnet` of it, interface `interface`.
    static func v6(site: Int, subnet: Int, interface: UInt64) -> NodeAddress.Host {
        .ipv6(high: 0x2001_0db8_0000_0000 | UInt64(site & 0xffff) << 16 | UInt64(subnet & 0xffff), low: interface)
    }

    static func limits(total: Int, perKey: Int = 4, perSource: Int = 8, perNetwork: Int = 16) -> RecordLimits {
        var limits = RecordLimits()
        limits.maxValues = total
        limits.maxProviderRecords = total
        limits.maxValuesPerKey = perKey
        limits.maxProvidersPerKey = perKey
        limits.maxRecordsPerSource = perSource
        limits.maxRecordsPerNetwork = perNetwork
        return limits
    }

    // MARK: - Prefixes

    @Test("sources are IPv4 addresses and IPv6 /64s; networks are IPv4 /24s and IPv6 /48s")
    func prefixes() {
        #expect(Self.v4(network: 1, host: 1).sourcePrefix != Self.v4(network: 1, host: 2).sourcePrefix)
        #expect(Self.v4(network: 1, host: 1).networkPrefix == Self.v4(network: 1, host: 2).networkPrefix)
        #expect(Self.v4(network: 1, host: 1).networkPrefix != Self.v4(network: 2, host: 1).networkPrefix)
        #expect(Self.v6(site: 1, subnet: 1, interface: 1).sourcePrefix == Self.v6(site: 1, subnet: 1, interface: 99).sourcePrefix)
        #expect(Self.v6(site: 1, subnet: 1, interface: 1).sourcePrefix != Self.v6(site: 1, subnet: 2, interface: 1).sourcePrefix)
        #expect(Self.v6(site: 1, subnet: 1, interface: 1).networkPrefix == Self.v6(site: 1, subnet: 2, interface: 1).networkPrefix)
        #expect(Self.v6(site: 1, subnet: 1, interface: 1).networkPrefix != Self.v6(site: 2, subnet: 1, interface: 1).networkPrefix)
        // An IPv4 /24 and an IPv6 prefix with the same bits are different networks.
        #expect(NodeAddress.Host.ipv4(0).networkPrefix != NodeAddress.Host.ipv6(high: 0, low: 0).networkPrefix)
        #expect(AddressPrefix(.ipv4(0x0a01_0203), ipv4Bits: 0, ipv6Bits: 0) == AddressPrefix(.ipv4(0xc0a8_0001), ipv4Bits: 0, ipv6Bits: 0))
        #expect(AddressPrefix(.ipv6(high: 1, low: 2), ipv4Bits: 32, ipv6Bits: 128) != AddressPrefix(.ipv6(high: 1, low: 3), ipv4Bits: 32, ipv6Bits: 128))
    }

    // MARK: - Caps per source and network

    @Test("the addresses of one /24 share the network cap; other /24s are not affected")
    func networkCapIPv4() {
        var store = ValueStore(limits: Self.limits(total: 1000, perKey: 16, perSource: 4, perNetwork: 10), localID: .zero)
        var outcomes: [StoreOutcome] = []
        var random = SeededRandom(seed: 3)
        for host in 0..<5 {
            for n in 0..<4 {
                let value = DHTValue(publisher: NodeID.random(using: &random), data: [UInt8(n)])
                outcomes.append(store.store(value, under: NodeID.random(using: &random), ttl: .seconds(60), from: Self.v4(network: 7, host: host), now: t0))
            }
        }
        #expect(outcomes.filter { $0 == .stored }.count == 10)
        #expect(outcomes.filter { $0 == .rejected(.networkFull) }.count == 10)
        #expect(store.usage(of: Self.v4(network: 7, host: 200)) == RecordSourceUsage(source: 0, network: 10))
        let other = DHTValue(publisher: NodeID.random(using: &random), data: [1])
        #expect(store.store(other, under: NodeID.random(using: &random), ttl: .seconds(60), from: Self.v4(network: 8, host: 0), now: t0) == .stored)
    }

    @Test("the addresses of one IPv6 /64 are one source; the /64s of one /48 share the network cap")
    func prefixCapsIPv6() {
        var store = ProviderStore(limits: Self.limits(total: 1000, perKey: 64, perSource: 3, perNetwork: 5), localID: .zero)
        var random = SeededRandom(seed: 4)
        func add(_ host: NodeAddress.Host) -> StoreOutcome {
            store.add(Contact(id: NodeID.random(using: &random), address: NodeAddress(host: host, port: 4000)), for: NodeID.random(using: &random), now: t0)
        }
        // Four addresses of one /64: the fourth record is the source's fourth.
        #expect((1...3).map { add(Self.v6(site: 1, subnet: 1, interface: $0)) } == [.stored, .stored, .stored])
        #expect(add(Self.v6(site: 1, subnet: 1, interface: 4)) == .rejected(.sourceFull))
        // Another /64 of the /48 has two records left under the /48's cap.
        #expect(add(Self.v6(site: 1, subnet: 2, interface: 1)) == .stored)
        #expect(add(Self.v6(site: 1, subnet: 3, interface: 1)) == .stored)
        #expect(add(Self.v6(site: 1, subnet: 4, interface: 1)) == .rejected(.networkFull))
        // Another /48 is not affected.
        #expect(add(Self.v6(site: 2, subnet: 1, interface: 1)) == .stored)
    }

    @Test("values and provider records share the caps of a source and its network")
    func capsAreShared() {
        var configuration = KademliaConfiguration()
        configuration.records.maxRecordsPerSource = 100
        configuration.records.maxRecordsPerNetwork = 3
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: configuration, seed: 1, now: t0)
        var random = SeededRandom(seed: 5)
        func ask(_ request: KademliaRequest, host: Int) -> KademliaResponse? {
            let message = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: NodeID.random(using: &random), body: .request(request))
            let address = NodeAddress(host: Self.v4(network: 3, host: host), port: 4000)
            return instance.handleMessage(message, from: address, now: t0).sends.first?.message.response
        }
        #expect(ask(.store(NodeID.random(using: &random), value: [1], ttl: .seconds(60)), host: 1) == .stored(.stored))
        #expect(ask(.addProvider(NodeID.random(using: &random)), host: 2) == .stored(.stored))
        #expect(ask(.addProvider(NodeID.random(using: &random)), host: 3) == .stored(.stored))
        #expect(ask(.store(NodeID.random(using: &random), value: [1], ttl: .seconds(60)), host: 4) == .stored(.rejected(.networkFull)))
        #expect(ask(.addProvider(NodeID.random(using: &random)), host: 5) == .stored(.rejected(.networkFull)))
        #expect(instance.statistics.valuesRefused == [.networkFull: 1])
        #expect(instance.statistics.providersRefused == [.networkFull: 1])
    }

    // MARK: - Farthest-first eviction

    @Test("a full store evicts the farthest key's oldest record for a nearer key, and refuses a farther one")
    func evictsFarthestFirst() {
        var store = ValueStore(limits: Self.limits(total: 3, perKey: 4, perSource: 100, perNetwork: 100), localID: .zero)
        let source = Self.v4(network: 1, host: 1)
        func value(_ n: UInt8) -> DHTValue { DHTValue(publisher: TestIDs.filled(n), data: [n]) }
        #expect(store.store(value(1), under: TestIDs.filled(0x40), ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(2), under: TestIDs.filled(0x80), ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(3), under: TestIDs.filled(0x80), ttl: .seconds(60), from: source, now: t0) == .stored)
        // Full. Farther than everything held (from the zero ID): refused.
        #expect(store.store(value(4), under: TestIDs.filled(0xc0), ttl: .seconds(60), from: source, now: t0) == .rejected(.storeFull))
        // As far as the farthest key: refused (no churn within the farthest key).
        #expect(store.store(value(4), under: TestIDs.filled(0x80), ttl: .seconds(60), from: source, now: t0) == .rejected(.storeFull))
        // Nearer: the oldest record of the farthest key goes.
        #expect(store.store(value(5), under: TestIDs.filled(0x10), ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.values(for: TestIDs.filled(0x80), now: t0) == [value(3)])
        #expect(store.store(value(6), under: TestIDs.filled(0x20), ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.values(for: TestIDs.filled(0x80), now: t0).isEmpty)
        #expect(store.keyCount == 3)
        #expect(store.evictions == 2)
        #expect(store.count(from: source) == 3)
        // A known publisher is replaced in a full store, whatever the distance.
        #expect(store.store(value(1), under: TestIDs.filled(0x40), ttl: .seconds(60), from: source, now: t0) == .replaced)
    }

    @Test("eviction frees the evicted record's source and network")
    func evictionFreesCaps() {
        var store = ProviderStore(limits: Self.limits(total: 2, perKey: 4, perSource: 1, perNetwork: 10), localID: .zero)
        let far = Contact(id: TestIDs.filled(0xa1), address: NodeAddress(host: Self.v4(network: 1, host: 1), port: 1))
        let other = Contact(id: TestIDs.filled(0xa2), address: NodeAddress(host: Self.v4(network: 2, host: 1), port: 1))
        let near = Contact(id: TestIDs.filled(0xa3), address: NodeAddress(host: Self.v4(network: 3, host: 1), port: 1))
        #expect(store.add(far, for: TestIDs.filled(0xf0), now: t0) == .stored)
        #expect(store.add(other, for: TestIDs.filled(0x70), now: t0) == .stored)
        #expect(store.add(near, for: TestIDs.filled(0x01), now: t0) == .stored)
        #expect(store.count(from: far.address.host) == 0)
        // The evicted source may store again (nearer than what is now farthest).
        #expect(store.add(far, for: TestIDs.filled(0x02), now: t0) == .stored)
        #expect(store.providers(for: TestIDs.filled(0x70), now: t0).isEmpty)
    }

    /// One arrival of the random flood: a record from a host, under a key.
    struct Arrival {
        var host: NodeAddress.Host
        var key: RecordKey
        var publisher: NodeID
        var ttl: Duration
        var advance: Duration
    }

    /// Arrivals from a mix of attackers (few networks, many addresses, random keys) and honest sources.
    static func arrivals(count: Int, seed: UInt64) -> [Arrival] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let pick = Int(random.next() % 100)
            let host: NodeAddress.Host
            if pick < 40 {
                host = v4(network: Int(random.next() % 6), host: Int(random.next() % 40))
            } else if pick < 70 {
                host = v6(site: Int(random.next() % 3), subnet: Int(random.next() % 5), interface: random.next())
            } else {
                host = v4(network: 1000 + Int(random.next() % 500), host: Int(random.next() % 256))
            }
            let ttl: Duration = random.next() % 4 == 0 ? .seconds(Int64(1 + random.next() % 30)) : .seconds(3600)
            // A few keys repeat, so the per-key cap and replacements are exercised too.
            let key = random.next() % 10 == 0 ? TestIDs.filled(UInt8(random.next() % 4)) : NodeID.random(using: &random)
            return Arrival(
                host: host,
                key: key,
                publisher: random.next() % 10 == 0 ? TestIDs.filled(0xee) : NodeID.random(using: &random),
                ttl: ttl,
                advance: .milliseconds(Int64(random.next() % 200))
            )
        }
    }

    @Test("random arrival orders: caps never exceeded, eviction farthest first, refusals only for the farthest", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomArrivals(seed: UInt64) {
        let limits = Self.limits(total: 64, perKey: 4, perSource: 8, perNetwork: 20)
        var random = SeededRandom(seed: seed &* 7919)
        let center = NodeID.random(using: &random)
        var store = ValueStore(limits: limits, localID: center)
        var now = t0
        var stored = 0
        var evictions = 0
        for (step, arrival) in Self.arrivals(count: 3000, seed: seed).enumerated() {
            now = now + arrival.advance
            if step % 97 == 0 { store.expire(now: now) }
            let before = store.liveValues(now: .seconds(0))
            let wasFull = store.count >= limits.maxValues
            let outcome = store.store(
                DHTValue(publisher: arrival.publisher, data: [1]), under: arrival.key, ttl: arrival.ttl, from: arrival.host, now: now)
            let after = store.liveValues(now: .seconds(0))
            let distance = arrival.key.distance(to: center)

            // Caps: in all, per key, per source, per network (expired records not yet swept count too).
            #expect(store.count <= limits.maxValues)
            #expect(after.count == store.count)
            #expect(Dictionary(grouping: after, by: \.key).values.allSatisfy { $0.count <= limits.maxValuesPerKey })
            #expect(Dictionary(grouping: after, by: { $0.source.sourcePrefix }).values.allSatisfy { $0.count <= limits.maxRecordsPerSource })
            #expect(Dictionary(grouping: after, by: { $0.source.networkPrefix }).values.allSatisfy { $0.count <= limits.maxRecordsPerNetwork })

            switch outcome {
            case .stored:
                stored += 1
                if store.evictions > evictions {
                    // One record went: from a key farther than the new one, and at least as far as every key left.
                    #expect(store.evictions == evictions + 1)
                    evictions = store.evictions
                    #expect(wasFull)
                    let remaining = Set(after.map(\.key))
                    let gone = before.filter { held in !after.contains { $0.key == held.key && $0.value == held.value } }
                    #expect(gone.count >= 1)
                    if let evicted = gone.max(by: { $0.key.distance(to: center) < $1.key.distance(to: center) }) {
                        #expect(evicted.key.distance(to: center) > distance)
                        #expect(remaining.allSatisfy { $0.distance(to: center) <= evicted.key.distance(to: center) })
                    }
                }
            case .rejected(.storeFull):
                // Refused only when nothing held is farther.
                #expect(before.allSatisfy { $0.key.distance(to: center) <= distance })
            default:
                break
            }
        }
        #expect(stored > 100)
        #expect(evictions > 10)
    }

    @Test("after a flood fills the stores, honest records for keys near the node get in", arguments: [11, 12, 13] as [UInt64])
    func honestNearKeysAfterFlood(seed: UInt64) {
        var configuration = KademliaConfiguration()
        configuration.records.maxValues = 2000
        configuration.records.maxProviderRecords = 4000
        var random = SeededRandom(seed: seed)
        let localID = NodeID.random(using: &random)
        var instance = KademliaInstance(localID: localID, configuration: configuration, seed: seed, now: t0)
        func ask(_ request: KademliaRequest, from host: NodeAddress.Host) -> StoreOutcome? {
            let message = KademliaMessage(transactionID: TransactionID(rawValue: random.next()), sender: NodeID.random(using: &random), body: .request(request))
            guard case .stored(let outcome)? = instance.handleMessage(message, from: NodeAddress(host: host, port: 4000), now: t0).sends.first?.message.response
            else { return nil }
            return outcome
        }
        // The flood: 4 networks of 16 addresses each, random keys, three times what the stores hold.
        for round in 0..<(3 * 6000) {
            let host = Self.v4(network: round % 4, host: (round / 4) % 16)
            let key = NodeID.random(using: &random)
            _ = round % 3 == 0 ? ask(.store(key, value: [1, 2, 3], ttl: .seconds(3600)), from: host) : ask(.addProvider(key), from: host)
        }
        #expect(instance.statistics.valuesRefused[.networkFull, default: 0] > 0)
        // Fill the rest from many networks, so that the total caps are what binds.
        for round in 0..<(3 * 6000) {
            let host = Self.v4(network: 100 + round, host: 1)
            let key = NodeID.random(using: &random)
            _ = round % 3 == 0 ? ask(.store(key, value: [1, 2, 3], ttl: .seconds(3600)), from: host) : ask(.addProvider(key), from: host)
        }
        #expect(instance.values.count == 2000)
        #expect(instance.providers.count == 4000)
        #expect(instance.values.evictions > 0 && instance.providers.evictions > 0)

        // Honest publishers of keys near the node (sharing 12 or more bits with its ID) are accepted, every one.
        for index in 0..<50 {
            let honest = Self.v4(network: 60_000 + index, host: 9)
            let key = localID.randomID(sharingPrefixLength: 12 + index % 8, using: &random)
            #expect(ask(.store(key, value: [7], ttl: .seconds(3600)), from: honest) == .stored)
            #expect(ask(.addProvider(key), from: honest) == .stored)
        }
        #expect(instance.values.count == 2000)
        #expect(instance.providers.count == 4000)
    }

    // MARK: - Among the k closest

    @Test("closerContactCount matches a brute-force count over the table", arguments: [21, 22, 23] as [UInt64])
    func closerContactCountMatchesBruteForce(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let localID = NodeID.random(using: &random)
        var configuration = RoutingTableConfiguration()
        configuration.ipDiversity = nil
        var table = RoutingTable(localID: localID, configuration: configuration, now: t0)
        for index in 0..<3000 {
            // Contacts at every depth: a random ID sharing a random prefix with ours.
            let id = localID.randomID(sharingPrefixLength: Int(random.next() % 14), using: &random)
            table.observe(Contact(id: id, address: TestIDs.address(index)), now: t0)
        }
        let contacts = table.contacts
        // Some contacts failed: they are not counted.
        for contact in contacts.prefix(30) { table.recordFailure(of: contact.id, now: t0) }
        let live = table.buckets.flatMap(\.entries).filter { $0.failures == 0 }.map(\.contact.id)
        for round in 0..<300 {
            let key = round % 2 == 0 ? NodeID.random(using: &random) : localID.randomID(sharingPrefixLength: Int(random.next() % 16), using: &random)
            let ours = localID.distance(to: key)
            let expected = live.filter { $0.distance(to: key) < ours }.count
            #expect(table.closerContactCount(to: key, limit: .max) == expected)
            #expect(table.closerContactCount(to: key, limit: 20) == min(20, expected))
            if let excluded = live.first(where: { $0.distance(to: key) < ours }) {
                #expect(table.closerContactCount(to: key, excluding: excluded, limit: .max) == expected - 1)
            }
        }
    }

    @Test("holdsRecords: a young table takes every key; the true k closest always take theirs; others are refused", arguments: [31, 32] as [UInt64])
    func amongTheClosest(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let k = KademliaConfiguration().lookup.resultSize
        let localID = NodeID.random(using: &random)
        var configuration = KademliaConfiguration()
        configuration.routingTable.ipDiversity = nil
        var instance = KademliaInstance(localID: localID, configuration: configuration, seed: seed, now: t0)
        let network = (0..<5000).map { _ in NodeID.random(using: &random) }

        // A young table: fewer than k contacts, every key passes.
        for (index, id) in network.prefix(k - 1).enumerated() { instance.restore(Contact(id: id, address: TestIDs.address(index)), now: t0) }
        #expect((0..<200).allSatisfy { _ in instance.holdsRecords(for: NodeID.random(using: &random)) })

        // The table takes what its buckets hold of the whole network.
        for (index, id) in network.enumerated() { instance.restore(Contact(id: id, address: TestIDs.address(index)), now: t0) }
        var refused = 0
        var keys = (0..<2000).map { _ in NodeID.random(using: &random) }
        keys += (0..<500).map { _ in localID.randomID(sharingPrefixLength: Int(random.next() % 14), using: &random) }
        for key in keys {
            let ours = localID.distance(to: key)
            let rank = network.filter { $0.distance(to: key) < ours }.count
            let holds = instance.holdsRecords(for: key)
            // Sound: a node among the k closest of the whole network never refuses.
            if rank < k { #expect(holds) }
            if !holds { refused += 1 }
        }
        // And it filters: most random keys belong elsewhere.
        #expect(refused > 1900)

        // The rule is applied to STORE and ADD_PROVIDER: a key far from the node is refused as notClosest.
        let far = keys.first { !instance.holdsRecords(for: $0) }!
        let store = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: NodeID.random(using: &random), body: .request(.store(far, value: [1], ttl: .seconds(60))))
        #expect(instance.handleMessage(store, from: TestIDs.address(60_000), now: t0).sends.first?.message.response == .stored(.rejected(.notClosest)))
        let provide = KademliaMessage(transactionID: TransactionID(rawValue: 2), sender: NodeID.random(using: &random), body: .request(.addProvider(far)))
        #expect(instance.handleMessage(provide, from: TestIDs.address(60_001), now: t0).sends.first?.message.response == .stored(.rejected(.notClosest)))
        #expect(instance.statistics.valuesRefused == [.notClosest: 1])
        #expect(instance.statistics.providersRefused == [.notClosest: 1])
        #expect(instance.values.count == 0 && instance.providers.count == 0)
    }

    @Test("the STORED outcomes for the new refusals round-trip on the wire")
    func wireOutcomes() throws {
        for outcome in [StoreOutcome.rejected(.notClosest), .rejected(.networkFull)] {
            let datagram = DHTDatagram(transactionID: TransactionID(rawValue: 9), senderKey: [UInt8](repeating: 1, count: 32), body: .response(.stored(outcome)))
            let decoded = try DHTDatagram(decoding: try datagram.encoded())
            guard case .response(.stored(let decodedOutcome)) = decoded.body else {
                Issue.record("not a STORED reply")
                continue
            }
            #expect(decodedOutcome == outcome)
        }
        #expect(DHTDatagram.outcomeCode(.rejected(.notClosest)) == 0x15)
        #expect(DHTDatagram.outcomeCode(.rejected(.networkFull)) == 0x16)
    }

    // MARK: - Verifying requesters

    @Test("at most maxVerificationsPerNetwork requesters of one /24 are being verified at once")
    func verificationsPerNetwork() {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        var random = SeededRandom(seed: 9)
        let cap = KademliaConfiguration().maxVerificationsPerNetwork
        func ping(from host: NodeAddress.Host) -> [KademliaDirective] {
            let message = KademliaMessage(transactionID: TransactionID(rawValue: random.next()), sender: NodeID.random(using: &random), body: .request(.ping))
            return instance.handleMessage(message, from: NodeAddress(host: host, port: 4000), now: t0)
        }
        var pings: [(TransactionID, DHTInstant)] = []
        for host in 0..<20 {
            let directives = ping(from: Self.v4(network: 5, host: host))
            #expect(directives.sends.first?.message.response == .pong)
            pings += directives.timeouts
        }
        #expect(pings.count == cap)
        #expect(instance.statistics.verificationsSkippedForNetwork == 20 - cap)
        // Another /24 has its own share; IPv6 addresses of one /64 share one.
        #expect(ping(from: Self.v4(network: 6, host: 1)).timeouts.count == 1)
        let v6 = (0..<10).map { ping(from: Self.v6(site: 1, subnet: 1, interface: UInt64($0))).timeouts.count }.reduce(0, +)
        #expect(v6 == cap)
        // Once the verifications of the /24 fail (every attempt timed out), new ones start.
        var due = pings
        while let (id, at) = due.first {
            due.removeFirst()
            due += instance.handleTimeout(id, now: at).timeouts
        }
        #expect(ping(from: Self.v4(network: 5, host: 99)).timeouts.count == 1)
    }
}
