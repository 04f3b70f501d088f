import Testing

@testable import Kademlia

@Suite("ProviderStore")
struct ProviderStoreTests {
    let key = TestIDs.filled(0x11)
    let otherKey = TestIDs.filled(0x22)
    let t0 = DHTInstant.seconds(1000)

    func provider(_ n: Int) -> Contact { TestIDs.contact(TestIDs.filled(0x40 &+ UInt8(n)), n) }

    func limits(_ change: (inout RecordLimits) -> Void) -> RecordLimits {
        var limits = RecordLimits()
        change(&limits)
        return limits
    }

    @Test("a provider record lives for providerTTL")
    func ttl() {
        var store = ProviderStore(limits: limits { $0.providerTTL = .seconds(3600) }, localID: .zero)
        #expect(store.add(provider(1), for: key, now: t0) == .stored)
        #expect(store.add(provider(2), for: key, now: t0 + .seconds(100)) == .stored)
        #expect(store.providers(for: key, now: t0 + .seconds(3599)) == [provider(1), provider(2)])
        #expect(store.providers(for: key, now: t0 + .seconds(3600)) == [provider(2)])
        #expect(store.expire(now: t0 + .seconds(3600)) == 1)
        #expect(store.count == 1)
        #expect(store.expire(now: t0 + .seconds(3700)) == 1)
        #expect(store.count == 0)
        #expect(store.keyCount == 0)
        #expect(store.providers(for: key, now: t0).isEmpty)
        // The default is 48 hours.
        #expect(ProviderStore(localID: .zero).limits.providerTTL == .seconds(48 * 3600))
    }

    @Test("per-key cap: the key is full; an expired provider frees its place")
    func perKeyCap() {
        var store = ProviderStore(limits: limits {
            $0.maxProvidersPerKey = 2
            $0.providerTTL = .seconds(100)
        }, localID: .zero)
        #expect(store.add(provider(1), for: key, now: t0) == .stored)
        #expect(store.add(provider(2), for: key, now: t0 + .seconds(50)) == .stored)
        #expect(store.add(provider(3), for: key, now: t0 + .seconds(60)) == .rejected(.keyFull))
        #expect(store.add(provider(3), for: otherKey, now: t0 + .seconds(60)) == .stored)
        #expect(store.add(provider(3), for: key, now: t0 + .seconds(100)) == .stored)
        #expect(store.providers(for: key, now: t0 + .seconds(100)) == [provider(2), provider(3)])
        #expect(store.count == 3)
    }

    @Test("total cap: the store is full for keys farther than all it holds; a nearer key evicts the farthest")
    func totalCap() {
        // Distances from the zero ID: 0x11… is nearer than 0x22…, which is nearer than 0x33….
        var store = ProviderStore(limits: limits { $0.maxProviderRecords = 3 }, localID: .zero)
        #expect(store.add(provider(1), for: key, now: t0) == .stored)
        #expect(store.add(provider(2), for: key, now: t0) == .stored)
        #expect(store.add(provider(3), for: otherKey, now: t0) == .stored)
        #expect(store.add(provider(4), for: TestIDs.filled(0x33), now: t0) == .rejected(.storeFull))
        #expect(store.add(provider(4), for: key, now: t0) == .stored)
        #expect(store.evictions == 1)
        #expect(store.providers(for: otherKey, now: t0).isEmpty)
        #expect(store.count == 3)
        #expect(store.keyCount == 1)
        // A known provider is refreshed even when the store is full.
        #expect(store.add(provider(1), for: key, now: t0) == .replaced)
    }

    @Test("a known provider gets a fresh lifetime and its new address")
    func refreshKnownProvider() {
        var store = ProviderStore(limits: limits { $0.providerTTL = .seconds(100) }, localID: .zero)
        #expect(store.add(provider(1), for: key, now: t0) == .stored)
        var moved = provider(1)
        moved.address = TestIDs.address(999)
        #expect(store.add(moved, for: key, now: t0 + .seconds(90)) == .replaced)
        #expect(store.count == 1)
        #expect(store.providers(for: key, now: t0 + .seconds(150)) == [moved])
        #expect(store.providers(for: key, now: t0 + .seconds(190)).isEmpty)
    }
}
