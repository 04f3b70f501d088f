import Testing

@testable import Kademlia

@Suite("ValueStore")
struct ValueStoreTests {
    let key = TestIDs.filled(0x11)
    let otherKey = TestIDs.filled(0x22)
    let t0 = DHTInstant.seconds(1000)
    let source = TestIDs.address(1).host

    func publisher(_ n: UInt8) -> NodeID { TestIDs.filled(0xa0 &+ n) }
    func value(_ n: UInt8, _ data: [UInt8] = [1, 2, 3]) -> DHTValue { DHTValue(publisher: publisher(n), data: data) }

    func limits(_ change: (inout RecordLimits) -> Void) -> RecordLimits {
        var limits = RecordLimits()
        change(&limits)
        return limits
    }

    @Test("a value lives for its TTL; reads skip it after, expire(now:) drops it")
    func ttlExpiry() {
        var store = ValueStore(localID: .zero)
        #expect(store.store(value(1), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(2), under: key, ttl: .seconds(120), from: source, now: t0) == .stored)
        #expect(store.values(for: key, now: t0 + .seconds(59)) == [value(1), value(2)])
        // Expired at exactly t0 + ttl.
        #expect(store.values(for: key, now: t0 + .seconds(60)) == [value(2)])
        #expect(store.count == 2)
        #expect(store.expire(now: t0 + .seconds(59)) == 0)
        #expect(store.expire(now: t0 + .seconds(60)) == 1)
        #expect(store.count == 1)
        #expect(store.keyCount == 1)
        #expect(store.expire(now: t0 + .seconds(120)) == 1)
        #expect(store.count == 0)
        #expect(store.keyCount == 0)
        #expect(store.values(for: key, now: t0).isEmpty)
    }

    @Test("a TTL is capped at valueTTL; a zero or negative TTL is refused")
    func ttlCapped() {
        var store = ValueStore(limits: limits { $0.valueTTL = .seconds(3600) }, localID: .zero)
        #expect(store.store(value(1), under: key, ttl: .seconds(100_000), from: source, now: t0) == .stored)
        #expect(store.values(for: key, now: t0 + .seconds(3599)) == [value(1)])
        #expect(store.values(for: key, now: t0 + .seconds(3600)).isEmpty)
        #expect(store.store(value(2), under: key, ttl: .zero, from: source, now: t0) == .rejected(.invalidTTL))
        #expect(store.store(value(2), under: key, ttl: .seconds(-5), from: source, now: t0) == .rejected(.invalidTTL))
        #expect(store.count == 1)
    }

    @Test("maxValueBytes: a value of exactly the limit enters, one byte more does not")
    func maxValueBytes() {
        var store = ValueStore(limits: limits { $0.maxValueBytes = 10 }, localID: .zero)
        #expect(store.store(value(1, [UInt8](repeating: 7, count: 10)), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(2, [UInt8](repeating: 7, count: 11)), under: key, ttl: .seconds(60), from: source, now: t0) == .rejected(.valueTooLarge))
        #expect(store.store(value(3, []), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.count == 2)
        // The default is 1,024 bytes.
        var defaults = ValueStore(localID: .zero)
        #expect(defaults.store(value(1, [UInt8](repeating: 0, count: 1024)), under: key, ttl: .seconds(1), from: source, now: t0) == .stored)
        #expect(defaults.store(value(2, [UInt8](repeating: 0, count: 1025)), under: key, ttl: .seconds(1), from: source, now: t0) == .rejected(.valueTooLarge))
    }

    @Test("maxValuesPerKey: the key is full; other keys are not; an expired value frees a place")
    func maxValuesPerKey() {
        var store = ValueStore(limits: limits { $0.maxValuesPerKey = 3 }, localID: .zero)
        #expect(store.store(value(1), under: key, ttl: .seconds(10), from: source, now: t0) == .stored)
        #expect(store.store(value(2), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(3), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(4), under: key, ttl: .seconds(60), from: source, now: t0) == .rejected(.keyFull))
        #expect(store.store(value(4), under: otherKey, ttl: .seconds(60), from: source, now: t0) == .stored)
        // The same publisher replaces its value even in a full key.
        #expect(store.store(value(2, [9]), under: key, ttl: .seconds(60), from: source, now: t0) == .replaced)
        // Value 1 expires at t0 + 10: its place is free without a sweep.
        #expect(store.store(value(4), under: key, ttl: .seconds(60), from: source, now: t0 + .seconds(10)) == .stored)
        #expect(store.count == 4)
        #expect(Set(store.values(for: key, now: t0 + .seconds(10)).map(\.publisher)) == [publisher(2), publisher(3), publisher(4)])
    }

    @Test("maxValues: the store is full")
    func maxValues() {
        var store = ValueStore(limits: limits { $0.maxValues = 2 }, localID: .zero)
        #expect(store.store(value(1), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(2), under: otherKey, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(3), under: TestIDs.filled(0x33), ttl: .seconds(60), from: source, now: t0) == .rejected(.storeFull))
        #expect(store.keyCount == 2)
        #expect(store.count == 2)
        // Replacing one's own value is not a new value.
        #expect(store.store(value(1, [4]), under: key, ttl: .seconds(60), from: source, now: t0) == .replaced)
        // After expiry and a sweep there is room again.
        store.expire(now: t0 + .seconds(60))
        #expect(store.store(value(3), under: TestIDs.filled(0x33), ttl: .seconds(60), from: source, now: t0 + .seconds(60)) == .stored)
    }

    @Test("a publisher replaces its own value and its lifetime")
    func publisherReplaces() {
        var store = ValueStore(localID: .zero)
        #expect(store.store(value(1, [1]), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(2, [2]), under: key, ttl: .seconds(60), from: source, now: t0) == .stored)
        #expect(store.store(value(1, [3]), under: key, ttl: .seconds(600), from: source, now: t0 + .seconds(30)) == .replaced)
        #expect(store.count == 2)
        #expect(store.values(for: key, now: t0 + .seconds(31)) == [value(1, [3]), value(2, [2])])
        // The new lifetime counts from the replacement.
        #expect(store.values(for: key, now: t0 + .seconds(629)) == [value(1, [3])])
        #expect(store.values(for: key, now: t0 + .seconds(630)).isEmpty)
    }

    @Test("values under one key do not leak to another")
    func keysAreSeparate() {
        var store = ValueStore(localID: .zero)
        _ = store.store(value(1), under: key, ttl: .seconds(60), from: source, now: t0)
        #expect(store.values(for: otherKey, now: t0).isEmpty)
        #expect(store.values(for: key, now: t0) == [value(1)])
    }
}
