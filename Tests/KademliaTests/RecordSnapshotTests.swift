import Testing

@testable import Kademlia

@Suite("Record snapshots")
struct RecordSnapshotTests {
    let t0 = DHTInstant.seconds(1000)
    /// The restarted process's clock: unrelated to the first one's.
    let t1 = DHTInstant.seconds(5)
    let localID = TestIDs.filled(0x01)
    let valueKey = TestIDs.filled(0x33)
    let providerKey = TestIDs.filled(0x44)
    let publisher = Contact(id: TestIDs.filled(0x70), address: TestIDs.address(9))
    let provider = Contact(id: TestIDs.filled(0x71), address: TestIDs.address(10))

    func send(_ request: KademliaRequest, from sender: Contact, to instance: inout KademliaInstance, now: DHTInstant) -> KademliaResponse? {
        let message = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: sender.id, body: .request(request))
        return instance.handleMessage(message, from: sender.address, now: now).sends.first?.message.response
    }

    /// An instance holding a value (600 s) and a provider record for others, snapshotted 100 s later.
    func heldRecords(configuration: KademliaConfiguration = KademliaConfiguration()) -> (KademliaInstance, RecordSnapshot) {
        var instance = KademliaInstance(localID: localID, configuration: configuration, seed: 1, now: t0)
        _ = send(.store(valueKey, value: [7, 7], ttl: .seconds(600)), from: publisher, to: &instance, now: t0)
        _ = send(.addProvider(providerKey), from: provider, to: &instance, now: t0)
        return (instance, instance.recordSnapshot(now: t0 + .seconds(100)))
    }

    @Test("a snapshot holds the live records with their remaining lifetimes and sources")
    func snapshotContents() {
        let (instance, snapshot) = heldRecords()
        #expect(snapshot.values == [RecordSnapshot.HeldValue(key: valueKey, value: DHTValue(publisher: publisher.id, data: [7, 7]), source: publisher.address.host, remaining: .seconds(500))])
        #expect(snapshot.providers == [RecordSnapshot.HeldProvider(key: providerKey, provider: provider, remaining: RecordLimits().providerTTL - .seconds(100))])
        #expect(snapshot.own.isEmpty)
        // Expired records are left out.
        let later = instance.recordSnapshot(now: t0 + .seconds(600))
        #expect(later.values.isEmpty)
        #expect(later.providers.count == 1)
    }

    @Test("restored into a new instance, the same values and providers are served, and expire on time")
    func restoreServesAndExpires() {
        let (_, snapshot) = heldRecords()
        var restored = KademliaInstance(localID: localID, seed: 2, now: t1)
        restored.restoreRecords(snapshot, now: t1)
        #expect(restored.recordSnapshot(now: t1) == snapshot)

        let asker = Contact(id: TestIDs.filled(0x72), address: TestIDs.address(11))
        #expect(send(.findValue(valueKey), from: asker, to: &restored, now: t1) == .values([DHTValue(publisher: publisher.id, data: [7, 7])]))
        if case .providers(let found, _)? = send(.getProviders(providerKey), from: asker, to: &restored, now: t1) {
            #expect(found == [provider])
        } else {
            Issue.record("expected PROVIDERS")
        }
        // The value had 500 s left.
        #expect(restored.values.values(for: valueKey, now: t1 + .seconds(499)).count == 1)
        _ = restored.tick(now: t1 + .seconds(500))
        #expect(restored.values.count == 0)
        #expect(restored.values.count(from: publisher.address.host) == 0)
        #expect(restored.providers.count == 1)
        _ = restored.tick(now: t1 + RecordLimits().providerTTL - .seconds(100))
        #expect(restored.providers.count == 0)
    }

    @Test("restoring goes through the usual caps")
    func restoreHonoursCaps() {
        var snapshot = RecordSnapshot()
        for n in 0..<3 {
            snapshot.values.append(
                RecordSnapshot.HeldValue(key: TestIDs.filled(0x30 + UInt8(n)), value: DHTValue(publisher: publisher.id, data: [1]), source: publisher.address.host, remaining: .seconds(60))
            )
        }
        snapshot.values.append(RecordSnapshot.HeldValue(key: valueKey, value: DHTValue(publisher: provider.id, data: [1]), source: provider.address.host, remaining: .zero))
        snapshot.providers.append(RecordSnapshot.HeldProvider(key: providerKey, provider: Contact(id: provider.id, address: publisher.address), remaining: .seconds(60)))
        var configuration = KademliaConfiguration()
        configuration.records.maxRecordsPerSource = 2
        var restored = KademliaInstance(localID: localID, configuration: configuration, seed: 2, now: t1)
        restored.restoreRecords(snapshot, now: t1)
        // Two values from that IP fit; the third value and its provider record do not; a spent lifetime is skipped.
        #expect(restored.values.count == 2)
        #expect(restored.providers.count == 0)
    }

    @Test("own records are kept with the time to their republication, and tick republishes them on schedule")
    func ownRecordsRepublished() throws {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        // A contact, so that the announcements are under way rather than settled at once as reaching nobody
        // (which would bring their next attempt forward).
        instance.restore(Contact(id: TestIDs.filled(0x36), address: TestIDs.address(13)), now: t0)
        _ = instance.put(valueKey, value: [9], ttl: .seconds(3600), now: t0)
        _ = instance.provide(providerKey, now: t0)
        let limits = RecordLimits()
        let snapshot = instance.recordSnapshot(now: t0 + .seconds(3600))
        #expect(snapshot.own == [
            RecordSnapshot.OwnRecord(key: valueKey, value: [9], ttl: .seconds(3600), untilRepublish: limits.valueRepublishInterval - .seconds(3600)),
            RecordSnapshot.OwnRecord(key: providerKey, value: nil, ttl: limits.providerTTL, untilRepublish: limits.providerRepublishInterval - .seconds(3600)),
        ])

        var restored = KademliaInstance(localID: localID, seed: 2, now: t1)
        let contact = Contact(id: TestIDs.filled(0x35), address: TestIDs.address(12))
        restored.restore(contact, now: t1)
        restored.restoreRecords(snapshot, now: t1)
        #expect(restored.recordSnapshot(now: t1) == snapshot)

        // The next tick is asked for no later than the first republication.
        let valueDue = t1 + limits.valueRepublishInterval - .seconds(3600)
        let early = restored.tick(now: valueDue - .seconds(1))
        #expect(!early.sends.contains { $0.message.request == .findNode(valueKey) })
        #expect(try #require(early.ticks.first) <= valueDue)

        // When due, the value is published again: a lookup of its key, then STOREs to the closest. (Bucket
        // refreshes, due after hours too, send their own lookups.)
        let due = restored.tick(now: valueDue)
        let lookup = try #require(due.sends.first { $0.message.request == .findNode(valueKey) })
        #expect(lookup.to == contact.address)
        #expect(lookup.message.request == .findNode(valueKey))
        let answer = KademliaMessage(transactionID: lookup.message.transactionID, sender: contact.id, body: .response(.nodes([])))
        let stores = restored.handleMessage(answer, from: contact.address, now: valueDue + .milliseconds(20)).sends
        #expect(stores.map(\.message.request) == [.store(valueKey, value: [9], ttl: .seconds(3600))])

        // The provider record follows at its own time.
        let providerDue = t1 + limits.providerRepublishInterval - .seconds(3600)
        let later = restored.tick(now: providerDue)
        #expect(later.sends.map(\.message.request).contains(.findNode(providerKey)))
    }

    @Test("own records that were due already are republished by the first tick")
    func overdueOwnRecords() {
        let snapshot = RecordSnapshot(own: [RecordSnapshot.OwnRecord(key: valueKey, value: [1], ttl: .seconds(60), untilRepublish: .zero)])
        var restored = KademliaInstance(localID: localID, seed: 2, now: t1)
        restored.restore(Contact(id: TestIDs.filled(0x35), address: TestIDs.address(12)), now: t1)
        restored.restoreRecords(snapshot, now: t1)
        #expect(restored.tick(now: t1).sends.map(\.message.request) == [.findNode(valueKey)])
    }
}
