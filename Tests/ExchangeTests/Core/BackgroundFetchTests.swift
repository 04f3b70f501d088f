import Blocks
import Testing

@testable import Exchange

/// A precache runs as a background fetch: it must not slow a foreground fetch down, and must use the capacity
/// the foreground leaves.
@Suite("Background fetches yield to foreground fetches")
struct BackgroundFetchTests {
    /// A seeder with an uplink of 2 MB/s holding two 2 MiB files, and a leecher connected to it.
    struct Setup {
        var harness = ExchangeHarness()
        var seeder = 0
        var leecher = 0
        var foreground: CID
        var background: CID
        var foregroundFile: [UInt8]
        var backgroundFile: [UInt8]

        init() throws {
            seeder = harness.addNode(uplink: 2_000_000)
            leecher = harness.addNode()
            foregroundFile = ExchangeHarness.fileBytes(count: 2 << 20, seed: 1)
            backgroundFile = ExchangeHarness.fileBytes(count: 2 << 20, seed: 2)
            foreground = try harness.importFile(foregroundFile, into: seeder, chunkSize: 64 * 1024)
            background = try harness.importFile(backgroundFile, into: seeder, chunkSize: 64 * 1024)
            harness.connect(seeder, leecher)
        }
    }

    /// Seconds from start to completion of a fetch.
    func seconds(_ statistics: FetchStatistics) -> Double {
        Double(((statistics.finishedAt ?? .zero) - statistics.startedAt).clampedNanoseconds) / 1e9
    }

    @Test("a foreground fetch started while a background fetch runs finishes within 10 % of its time alone")
    func foregroundFirst() throws {
        var alone = try Setup()
        let aloneID = alone.harness.startFetch(at: alone.leecher, root: alone.foreground)
        let ran1 = alone.harness.runFetch(aloneID, at: alone.leecher)
        #expect(ran1)
        let aloneTime = seconds(try #require(alone.harness.nodes[alone.leecher].completed[aloneID]))

        var shared = try Setup()
        let backgroundID = shared.harness.startFetch(at: shared.leecher, root: shared.background, background: true)
        // The background fetch has the link to itself for 300 ms, then the foreground fetch starts.
        _ = shared.harness.run(until: .milliseconds(300)) { _ in false }
        let foregroundID = shared.harness.startFetch(at: shared.leecher, root: shared.foreground)
        let backgroundBlocksBefore = shared.harness.nodes[shared.leecher].instance.fetchStatistics(backgroundID)?.blocks ?? 0
        #expect(backgroundBlocksBefore > 0)
        let ran2 = shared.harness.runFetch(foregroundID, at: shared.leecher)
        #expect(ran2)
        let node = shared.harness.nodes[shared.leecher]
        let foregroundTime = seconds(try #require(node.completed[foregroundID]))
        #expect(node.delivered[foregroundID] == shared.foregroundFile)
        #expect(foregroundTime <= aloneTime * 1.1, "alone \(aloneTime) s, beside a background fetch \(foregroundTime) s")
        // The background fetch had not finished: it yielded.
        #expect(node.completed[backgroundID] == nil)
        // Then it completes on the link left to it.
        let ran3 = shared.harness.runFetch(backgroundID, at: shared.leecher)
        #expect(ran3)
        #expect(shared.harness.nodes[shared.leecher].delivered[backgroundID] == shared.backgroundFile)
    }

    @Test("alone, a background fetch is as fast as a foreground fetch")
    func backgroundUsesSpareCapacity() throws {
        var foreground = try Setup()
        let foregroundID = foreground.harness.startFetch(at: foreground.leecher, root: foreground.background)
        let ran4 = foreground.harness.runFetch(foregroundID, at: foreground.leecher)
        #expect(ran4)
        let foregroundTime = seconds(try #require(foreground.harness.nodes[foreground.leecher].completed[foregroundID]))

        var background = try Setup()
        let backgroundID = background.harness.startFetch(
            at: background.leecher, root: background.background, background: true)
        let ran5 = background.harness.runFetch(backgroundID, at: background.leecher)
        #expect(ran5)
        let backgroundTime = seconds(try #require(background.harness.nodes[background.leecher].completed[backgroundID]))
        #expect(backgroundTime <= foregroundTime * 1.02, "foreground \(foregroundTime) s, background \(backgroundTime) s")
    }
}
