import Testing

@testable import Exchange

@Suite("FetchPlanner: providers ranked by network, round trip and rate")
struct ProviderRankingTests {
    typealias Planner = FetchPlanner<String>
    let t0 = ExchangeInstant(nanoseconds: 1_000_000_000)

    /// Two connection slots, so that providers beyond them wait and are ranked.
    func planner(slots: Int = 2, waiting: Int = 32) -> Planner {
        var configuration = FetchPlannerConfiguration()
        configuration.maxProviderConnections = slots
        configuration.maxWaitingProviders = waiting
        var planner = Planner(configuration: configuration, sourceCount: 0, now: t0)
        _ = planner.start(now: t0)
        return planner
    }

    @Test("same network first: a nearby provider heard of last takes the first free slot")
    func sameNetworkFirst() {
        var planner = planner()
        var now = t0
        for name in ["far1", "far2", "far3", "far4", "near"] {
            now = now + .milliseconds(5)
            let near = name == "near"
            _ = planner.handle(.measured(name, SourceRank(sameNetwork: near, roundTrip: .milliseconds(near ? 40 : 10))), now: now)
            _ = planner.handle(.providerFound(name), now: now)
        }
        // far1 and far2 took the free slots as they were heard of; a slot that frees goes to the same network,
        // although far3 and far4 were heard of first and are quicker by round trip.
        #expect(planner.handle(.connectFailed("far1"), now: now + .milliseconds(10)) == [.connect("near")])
        #expect(planner.handle(.connected("far2"), now: now + .milliseconds(20)) == [.addProvider("far2"), .connect("far3")])
    }

    @Test("then the quickest: expected time of a 256 KiB block from round trip and measured rate")
    func quickestNext() {
        var planner = planner(slots: 1)
        _ = planner.handle(.providerFound("first"), now: t0)
        // slow link, short round trip: 10 ms + 262144 / 200 kB/s = 1.32 s
        _ = planner.handle(.measured("slow", SourceRank(roundTrip: .milliseconds(10), bytesPerSecond: 200_000)), now: t0)
        // fast link, longer round trip: 80 ms + 262144 / 20 MB/s = 0.093 s
        _ = planner.handle(.measured("fast", SourceRank(roundTrip: .milliseconds(80), bytesPerSecond: 20_000_000)), now: t0)
        // nothing known: 200 ms + 262144 / 1 MB/s = 0.46 s
        _ = planner.handle(.providerFound("slow"), now: t0 + .milliseconds(1))
        _ = planner.handle(.providerFound("unknown"), now: t0 + .milliseconds(2))
        _ = planner.handle(.providerFound("fast"), now: t0 + .milliseconds(3))
        #expect(planner.handle(.connected("first"), now: t0 + .milliseconds(10)) == [.addProvider("first"), .connect("fast")])
        #expect(planner.handle(.connected("fast"), now: t0 + .milliseconds(20)) == [.addProvider("fast"), .connect("unknown")])
        #expect(planner.handle(.connectFailed("unknown"), now: t0 + .milliseconds(30)) == [.connect("slow")])
        #expect(planner.handle(.connected("slow"), now: t0 + .milliseconds(40)) == [.addProvider("slow")])
    }

    @Test("a later measurement re-ranks a waiting provider")
    func remeasured() {
        var planner = planner(slots: 1)
        _ = planner.handle(.providerFound("busy"), now: t0)
        _ = planner.handle(.measured("a", SourceRank(roundTrip: .milliseconds(20))), now: t0)
        _ = planner.handle(.measured("b", SourceRank(roundTrip: .milliseconds(30))), now: t0)
        _ = planner.handle(.providerFound("a"), now: t0)
        _ = planner.handle(.providerFound("b"), now: t0)
        _ = planner.handle(.measured("b", SourceRank(roundTrip: .milliseconds(30), bytesPerSecond: 50_000_000)), now: t0 + .milliseconds(5))
        #expect(planner.handle(.connectFailed("busy"), now: t0 + .milliseconds(10)) == [.connect("b")])
    }

    @Test("equal ranks keep the order heard; a provider is connected once")
    func equalRanksInOrder() {
        var planner = planner(slots: 1)
        for name in ["a", "b", "c", "b", "a"] { _ = planner.handle(.providerFound(name), now: t0) }
        #expect(planner.handle(.connected("a"), now: t0 + .milliseconds(1)) == [.addProvider("a"), .connect("b")])
        #expect(planner.handle(.connected("b"), now: t0 + .milliseconds(2)) == [.addProvider("b"), .connect("c")])
        #expect(planner.handle(.connected("c"), now: t0 + .milliseconds(3)) == [.addProvider("c")])
    }

    @Test("the waiting list is capped and keeps the best: a nearby provider displaces the worst")
    func cappedWaiting() {
        var planner = planner(slots: 1, waiting: 2)
        _ = planner.handle(.providerFound("busy"), now: t0)
        _ = planner.handle(.measured("w1", SourceRank(roundTrip: .milliseconds(50))), now: t0)
        _ = planner.handle(.measured("w2", SourceRank(roundTrip: .milliseconds(300))), now: t0)
        _ = planner.handle(.providerFound("w1"), now: t0)
        _ = planner.handle(.providerFound("w2"), now: t0)
        // Full: an unknown provider (assumed 200 ms) displaces w2 (300 ms); one worse than both is dropped.
        _ = planner.handle(.providerFound("x"), now: t0)
        _ = planner.handle(.measured("y", SourceRank(roundTrip: .seconds(2))), now: t0)
        _ = planner.handle(.providerFound("y"), now: t0)
        _ = planner.handle(.measured("near", SourceRank(sameNetwork: true, roundTrip: .seconds(1))), now: t0)
        _ = planner.handle(.providerFound("near"), now: t0)
        #expect(planner.handle(.connectFailed("busy"), now: t0 + .milliseconds(1)) == [.connect("near")])
        #expect(planner.handle(.connectFailed("near"), now: t0 + .milliseconds(2)) == [.connect("w1")])
        #expect(planner.handle(.connectFailed("w1"), now: t0 + .milliseconds(3)) == [])
    }

    @Test("SourceRank: same network beats any speed; unknown values are assumed")
    func rankOrder() {
        let near = SourceRank(sameNetwork: true, roundTrip: .milliseconds(500), bytesPerSecond: 100_000)
        let far = SourceRank(sameNetwork: false, roundTrip: .milliseconds(1), bytesPerSecond: 1e9)
        #expect(near.isBetter(than: far))
        #expect(!far.isBetter(than: near))
        #expect(abs(SourceRank().expectedBlockSeconds - (0.2 + 0.262144)) < 1e-9)
        #expect(!SourceRank().isBetter(than: SourceRank()))
    }
}
