import Testing

@testable import Kademlia

@Suite("Records per source")
struct RecordSourceCapTests {
    let t0 = DHTInstant.seconds(1000)
    /// What a store answers a source that holds its maximum.
    static let sourceFull = ExpiringRecordTable<DHTValue>.sourceFull

    static func configuration(maxRecordsPerSource: Int) -> KademliaConfiguration {
        var configuration = KademliaConfiguration()
        configuration.records.maxRecordsPerSource = maxRecordsPerSource
        return configuration
    }

    /// Sends `request` to `instance` from `sender` at `address`; returns the response.
    func ask(
        _ instance: inout KademliaInstance,
        _ request: KademliaRequest,
        from sender: NodeID,
        at address: NodeAddress,
        now: DHTInstant
    ) -> KademliaResponse? {
        let message = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: sender, body: .request(request))
        return instance.handleMessage(message, from: address, now: now).sends.first?.message.response
    }

    func key(_ n: UInt8) -> RecordKey { TestIDs.filled(n) }
    func sender(_ n: UInt8) -> NodeID { TestIDs.filled(0xa0 &+ n) }

    @Test("the default cap is 256")
    func defaultCap() {
        #expect(RecordLimits().maxRecordsPerSource == 256)
    }

    @Test("one IP may hold maxRecordsPerSource values and provider records together, across keys and node IDs")
    func capAcrossKeysValuesAndProviders() {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: Self.configuration(maxRecordsPerSource: 3), seed: 1, now: t0)
        let address = TestIDs.address(9)
        #expect(ask(&instance, .store(key(0x11), value: [1], ttl: .seconds(600)), from: sender(1), at: address, now: t0) == .stored(.stored))
        #expect(ask(&instance, .store(key(0x12), value: [1], ttl: .seconds(600)), from: sender(2), at: address, now: t0) == .stored(.stored))
        #expect(ask(&instance, .addProvider(key(0x13)), from: sender(3), at: address, now: t0) == .stored(.stored))
        // Full: a fourth record from that IP is refused, whether a value or a provider record, under any ID.
        #expect(ask(&instance, .store(key(0x14), value: [1], ttl: .seconds(600)), from: sender(4), at: address, now: t0) == .stored(.rejected(Self.sourceFull)))
        #expect(ask(&instance, .addProvider(key(0x14)), from: sender(5), at: address, now: t0) == .stored(.rejected(Self.sourceFull)))
        // Replacing a record it holds is no new record.
        #expect(ask(&instance, .store(key(0x11), value: [2], ttl: .seconds(600)), from: sender(1), at: address, now: t0) == .stored(.replaced))
        #expect(ask(&instance, .addProvider(key(0x13)), from: sender(3), at: address, now: t0) == .stored(.replaced))
        // Another IP has its own cap.
        #expect(ask(&instance, .store(key(0x14), value: [1], ttl: .seconds(600)), from: sender(4), at: TestIDs.address(10), now: t0) == .stored(.stored))
        #expect(instance.values.count == 3)
        #expect(instance.providers.count == 1)
    }

    @Test("two ports of one IP share the cap")
    func portsShareTheCap() {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: Self.configuration(maxRecordsPerSource: 2), seed: 1, now: t0)
        #expect(ask(&instance, .store(key(0x11), value: [1], ttl: .seconds(600)), from: sender(1), at: TestIDs.address(9, port: 4000), now: t0) == .stored(.stored))
        #expect(ask(&instance, .addProvider(key(0x11)), from: sender(2), at: TestIDs.address(9, port: 4001), now: t0) == .stored(.stored))
        #expect(ask(&instance, .store(key(0x12), value: [1], ttl: .seconds(600)), from: sender(3), at: TestIDs.address(9, port: 4002), now: t0) == .stored(.rejected(Self.sourceFull)))
    }

    @Test("the cap is freed when records expire: by the tick's sweep, or lazily inside a store")
    func freedAfterExpiry() {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: Self.configuration(maxRecordsPerSource: 2), seed: 1, now: t0)
        let address = TestIDs.address(9)
        #expect(ask(&instance, .store(key(0x11), value: [1], ttl: .seconds(60)), from: sender(1), at: address, now: t0) == .stored(.stored))
        #expect(ask(&instance, .store(key(0x12), value: [1], ttl: .seconds(600)), from: sender(2), at: address, now: t0) == .stored(.stored))
        #expect(ask(&instance, .store(key(0x13), value: [1], ttl: .seconds(600)), from: sender(3), at: address, now: t0) == .stored(.rejected(Self.sourceFull)))

        // Swept by the tick.
        _ = instance.tick(now: t0 + .seconds(60))
        #expect(instance.values.count(from: address.host) == 1)
        #expect(ask(&instance, .store(key(0x13), value: [1], ttl: .seconds(60)), from: sender(3), at: address, now: t0 + .seconds(61)) == .stored(.stored))
        #expect(ask(&instance, .store(key(0x14), value: [1], ttl: .seconds(60)), from: sender(4), at: address, now: t0 + .seconds(61)) == .stored(.rejected(Self.sourceFull)))

        // Dropped lazily: a store under the same key finds the expired record and frees its place first.
        let later = t0 + .seconds(121)
        #expect(ask(&instance, .store(key(0x13), value: [1], ttl: .seconds(60)), from: sender(5), at: address, now: later) == .stored(.stored))
        #expect(instance.values.count(from: address.host) == 2)

        // Everything expired and swept: the IP is forgotten.
        _ = instance.tick(now: t0 + .seconds(3600))
        #expect(instance.values.count(from: address.host) == 0)
        #expect(instance.values.count == 0)
    }

    @Test("a replacement from another IP moves the record to that IP's count")
    func replacementMovesBetweenSources() {
        var limits = RecordLimits()
        limits.maxRecordsPerSource = 1
        var store = ValueStore(limits: limits, localID: .zero)
        let first = TestIDs.address(1).host
        let second = TestIDs.address(2).host
        let value = DHTValue(publisher: sender(1), data: [1])
        #expect(store.store(value, under: key(0x11), ttl: .seconds(60), from: first, now: t0) == .stored)
        #expect(store.store(value, under: key(0x11), ttl: .seconds(60), from: second, now: t0) == .replaced)
        #expect(store.count(from: first) == 0)
        #expect(store.count(from: second) == 1)
        // The second IP is full now; the first may store again.
        let other = DHTValue(publisher: sender(2), data: [1])
        #expect(store.store(other, under: key(0x12), ttl: .seconds(60), from: second, now: t0) == .rejected(Self.sourceFull))
        #expect(store.store(other, under: key(0x12), ttl: .seconds(60), from: first, now: t0) == .stored)
        // Moving a record to a full IP is refused and leaves it where it was.
        #expect(store.store(value, under: key(0x11), ttl: .seconds(60), from: first, now: t0) == .rejected(Self.sourceFull))
        #expect(store.count(from: first) == 1 && store.count(from: second) == 1)
    }

    @Test("provider records count against the provider's IP in the store alone too")
    func providerStoreCountsPerIP() {
        var limits = RecordLimits()
        limits.maxRecordsPerSource = 2
        var store = ProviderStore(limits: limits, localID: .zero)
        let host = TestIDs.address(7).host
        for n in 0..<2 {
            let provider = Contact(id: sender(UInt8(n)), address: NodeAddress(host: host, port: 5000 + UInt16(n)))
            #expect(store.add(provider, for: key(0x11), now: t0) == .stored)
        }
        let third = Contact(id: sender(9), address: NodeAddress(host: host, port: 6000))
        #expect(store.add(third, for: key(0x12), now: t0) == .rejected(Self.sourceFull))
        #expect(store.add(third, for: key(0x12), elsewhere: .none, now: t0) == .rejected(Self.sourceFull))
        #expect(store.count(from: host) == 2)
        #expect(store.expire(now: t0 + RecordLimits().providerTTL) == 2)
        #expect(store.count(from: host) == 0)
        #expect(store.add(third, for: key(0x12), now: t0 + RecordLimits().providerTTL) == .stored)
    }
}
