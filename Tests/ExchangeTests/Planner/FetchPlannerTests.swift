import Testing

@testable import Exchange

@Suite("FetchPlanner")
struct FetchPlannerTests {
    typealias Planner = FetchPlanner<String>
    let t0 = ExchangeInstant(nanoseconds: 1_000_000_000)

    func configuration(_ policy: OriginPolicy) -> FetchPlannerConfiguration {
        var configuration = FetchPlannerConfiguration()
        configuration.originPolicy = policy
        return configuration
    }

    func progress(_ blocks: UInt64, peers: UInt64) -> Planner.Event {
        .deadline(Planner.Progress(blocks: blocks, peerBlocks: peers))
    }

    @Test("fallback: HTTP sources join only after the fallback delay without a block")
    func fallbackWaits() {
        var planner = Planner(configuration: configuration(.fallback), sourceCount: 2, now: t0)
        #expect(planner.start(now: t0) == [.searchProviders, .wake(at: t0 + .seconds(2))])
        #expect(planner.handle(.providerFound("a"), now: t0 + .milliseconds(50)) == [.connect("a")])
        #expect(planner.handle(.searchEnded, now: t0 + .milliseconds(60)) == [.wake(at: t0 + .seconds(2))])
        #expect(planner.handle(.connected("a"), now: t0 + .milliseconds(70)) == [.addProvider("a")])
        // Peers deliver: the deadline moves on, no HTTP.
        #expect(planner.handle(progress(5, peers: 5), now: t0 + .seconds(2)) == [.wake(at: t0 + .seconds(4))])
        #expect(planner.activeSources.isEmpty)
        // Then nothing for two seconds: the HTTP sources join.
        #expect(
            planner.handle(progress(5, peers: 5), now: t0 + .seconds(4))
                == [.addSource(0), .addSource(1), .wake(at: t0 + .seconds(5) + .milliseconds(60))])
        #expect(planner.activeSources == [0, 1])
    }

    @Test("a provider whose connection closed is connected to again, at most three times")
    func reconnectsAfterADisconnect() {
        var planner = Planner(configuration: configuration(.fallback), sourceCount: 0, now: t0)
        _ = planner.start(now: t0)
        #expect(planner.handle(.providerFound("a"), now: t0) == [.connect("a")])
        #expect(planner.handle(.connected("a"), now: t0) == [.addProvider("a")])
        for _ in 1...3 {
            // A relay cut the circuit: a new connection, and the provider joins the fetch again once it is up.
            #expect(planner.handle(.disconnected("a"), now: t0) == [.connect("a")])
            #expect(planner.handle(.connected("a"), now: t0) == [.addProvider("a")])
        }
        #expect(planner.handle(.disconnected("a"), now: t0).isEmpty)
        // One never connected is not the planner's to reconnect.
        #expect(planner.handle(.disconnected("b"), now: t0).isEmpty)
    }

    @Test("a provider that could not be connected to is tried again when a later search finds it")
    func retriesAFailedConnect() {
        var planner = Planner(configuration: configuration(.fallback), sourceCount: 0, now: t0)
        _ = planner.start(now: t0)
        #expect(planner.handle(.providerFound("a"), now: t0) == [.connect("a")])
        for _ in 1...3 {
            _ = planner.handle(.connectFailed("a"), now: t0)
            #expect(planner.handle(.providerFound("a"), now: t0) == [.connect("a")])
        }
        _ = planner.handle(.connectFailed("a"), now: t0)
        #expect(planner.handle(.providerFound("a"), now: t0).isEmpty)
    }

    @Test("fallback: a first search that finds nobody brings the HTTP sources in at once")
    func fallbackWithoutProviders() {
        var planner = Planner(configuration: configuration(.fallback), sourceCount: 1, now: t0)
        _ = planner.start(now: t0)
        #expect(planner.handle(.searchEnded, now: t0 + .milliseconds(30)) == [.addSource(0), .wake(at: t0 + .seconds(5) + .milliseconds(30))])
    }

    @Test("prefetch: HTTP from the start, leaving after the prefetch time once peers deliver")
    func prefetch() {
        var planner = Planner(configuration: configuration(.prefetch), sourceCount: 1, now: t0)
        #expect(planner.start(now: t0) == [.searchProviders, .addSource(0), .wake(at: t0 + .seconds(2))])
        _ = planner.handle(.providerFound("a"), now: t0 + .milliseconds(10))
        _ = planner.handle(.connected("a"), now: t0 + .milliseconds(20))
        _ = planner.handle(.searchEnded, now: t0 + .milliseconds(30))
        let review = planner.handle(progress(12, peers: 4), now: t0 + .seconds(2))
        #expect(review.first == .removeSource(0))
        #expect(planner.activeSources.isEmpty)
    }

    @Test("prefetch: HTTP stays when no peer delivered by the prefetch time")
    func prefetchWithoutPeers() {
        var planner = Planner(configuration: configuration(.prefetch), sourceCount: 1, now: t0)
        _ = planner.start(now: t0)
        #expect(!planner.handle(progress(12, peers: 0), now: t0 + .seconds(2)).contains(.removeSource(0)))
        #expect(planner.activeSources == [0])
    }

    @Test("head-start: HTTP stays while it delivers at least as much as the peers")
    func headStart() {
        var planner = Planner(configuration: configuration(.headStart), sourceCount: 1, now: t0)
        #expect(planner.start(now: t0).contains(.addSource(0)))
        let first = planner.handle(progress(10, peers: 4), now: t0 + .seconds(2))
        #expect(!first.contains(.removeSource(0)))
        #expect(first.last == .wake(at: t0 + .seconds(4)))
        #expect(planner.handle(progress(30, peers: 20), now: t0 + .seconds(4)).first == .removeSource(0))
    }

    @Test("mixed: HTTP joins at once and stays")
    func mixed() {
        var planner = Planner(configuration: configuration(.mixed), sourceCount: 2, now: t0)
        #expect(planner.start(now: t0) == [.searchProviders, .addSource(0), .addSource(1), .wake(at: t0 + .seconds(30))])
        _ = planner.handle(.searchEnded, now: t0 + .seconds(1))
        for second in 2...20 {
            let directives = planner.handle(progress(UInt64(second * 10), peers: UInt64(second * 9)), now: t0 + .seconds(Int64(second)))
            #expect(!directives.contains { if case .removeSource = $0 { return true } else { return false } })
        }
        #expect(planner.activeSources == [0, 1])
    }

    @Test("providers: each connected once, at most maxProviderConnections at a time")
    func providerConnections() {
        var configuration = configuration(.fallback)
        configuration.maxProviderConnections = 2
        var planner = Planner(configuration: configuration, sourceCount: 0, now: t0)
        _ = planner.start(now: t0)
        #expect(planner.handle(.providerFound("a"), now: t0) == [.connect("a")])
        #expect(planner.handle(.providerFound("a"), now: t0) == [])
        #expect(planner.handle(.providerFound("b"), now: t0) == [.connect("b")])
        // c waits for a slot, and takes the one a failed connection frees; d then waits.
        #expect(planner.handle(.providerFound("c"), now: t0) == [])
        #expect(planner.handle(.connectFailed("a"), now: t0) == [.connect("c")])
        #expect(planner.handle(.providerFound("d"), now: t0) == [])
    }

    @Test("the providers are searched again every search interval while the fetch runs")
    func searchesAgain() {
        var planner = Planner(configuration: configuration(.mixed), sourceCount: 0, now: t0)
        _ = planner.start(now: t0)
        #expect(planner.handle(.searchEnded, now: t0 + .seconds(1)) == [.wake(at: t0 + .seconds(6))])
        #expect(planner.handle(progress(1, peers: 1), now: t0 + .seconds(6)) == [.searchProviders, .wake(at: t0 + .seconds(36))])
        // No second search while one runs.
        #expect(!planner.handle(progress(2, peers: 2), now: t0 + .seconds(12)).contains(.searchProviders))
    }

    @Test("no block for the unavailable timeout gives up; each block moves the deadline")
    func givesUp() {
        var planner = Planner(configuration: configuration(.mixed), sourceCount: 0, now: t0)
        _ = planner.start(now: t0)
        _ = planner.handle(.searchEnded, now: t0)
        #expect(planner.handle(progress(3, peers: 3), now: t0 + .seconds(25)).last == .wake(at: t0 + .seconds(55)))
        #expect(!planner.handle(progress(3, peers: 3), now: t0 + .seconds(30)).contains(.giveUp))
        #expect(planner.handle(progress(3, peers: 3), now: t0 + .seconds(55)) == [.giveUp])
        #expect(planner.hasGivenUp)
        #expect(planner.handle(.providerFound("late"), now: t0 + .seconds(56)) == [])
    }

    @Test("origins only: no block at all since they joined, so one is read whole; once")
    func wholeOrigin() {
        var planner = Planner(configuration: configuration(.fallback), sourceCount: 2, origins: [1], now: t0)
        _ = planner.start(now: t0)
        #expect(planner.handle(.searchEnded, now: t0 + .milliseconds(10)) == [.addSource(0), .addSource(1), .wake(at: t0 + .seconds(2) + .milliseconds(10))])
        let directives = planner.handle(progress(0, peers: 0), now: t0 + .seconds(2) + .milliseconds(10))
        #expect(directives.first == .readWholeOrigin(1))
        #expect(!planner.handle(progress(0, peers: 0), now: t0 + .seconds(5)).contains(.readWholeOrigin(1)))
        // With a block from anywhere, nothing is read whole.
        var other = Planner(configuration: configuration(.mixed), sourceCount: 1, origins: [0], now: t0)
        _ = other.start(now: t0)
        #expect(!other.handle(progress(1, peers: 1), now: t0 + .seconds(2)).contains(.readWholeOrigin(0)))
    }

    @Test("a failed source does not join again")
    func failedSource() {
        var planner = Planner(configuration: configuration(.fallback), sourceCount: 2, now: t0)
        _ = planner.start(now: t0)
        _ = planner.handle(.sourceFailed(1), now: t0)
        #expect(planner.handle(progress(0, peers: 0), now: t0 + .seconds(2)).prefix(1) == [.addSource(0)])
        #expect(planner.activeSources == [0])
    }
}
