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

    /// Seconds a fetch of one of the files takes with the link to itself.
    func timeAlone(_ file: KeyPath<Setup, CID>, background: Bool) throws -> Double {
        var setup = try Setup()
        let id = setup.harness.startFetch(at: setup.leecher, root: setup[keyPath: file], background: background)
        let ran = setup.harness.runFetch(id, at: setup.leecher)
        #expect(ran)
        return seconds(try #require(setup.harness.nodes[setup.leecher].completed[id]))
    }

    /// Starts the other file's fetch, gives it the link for 300 ms, then fetches the foreground file; returns the
    /// setup, both fetches' IDs and the foreground fetch's seconds.
    func beside(background: Bool) throws -> (Setup, other: FetchID, foreground: FetchID, seconds: Double) {
        var setup = try Setup()
        let other = setup.harness.startFetch(at: setup.leecher, root: setup.background, background: background)
        _ = setup.harness.run(until: .milliseconds(300)) { _ in false }
        #expect((setup.harness.nodes[setup.leecher].instance.fetchStatistics(other)?.blocks ?? 0) > 0)
        let foreground = setup.harness.startFetch(at: setup.leecher, root: setup.foreground)
        let ran = setup.harness.runFetch(foreground, at: setup.leecher)
        #expect(ran)
        let node = setup.harness.nodes[setup.leecher]
        #expect(node.delivered[foreground] == setup.foregroundFile)
        return (setup, other, foreground, seconds(try #require(node.completed[foreground])))
    }

    @Test("a foreground fetch started while a background fetch runs finishes within 10 % of its time alone")
    func foregroundFirst() throws {
        let alone = try timeAlone(\.foreground, background: false)
        var (shared, backgroundID, _, besideBackground) = try beside(background: true)
        // The control: beside a foreground fetch of the same file, the two share the link.
        let besideForeground = try beside(background: false).seconds
        #expect(
            besideBackground <= alone * 1.1,
            "alone \(alone) s, beside a background fetch \(besideBackground) s, beside a foreground one \(besideForeground) s")
        #expect(besideForeground > alone * 1.3, "the control shares the link: \(besideForeground) s against \(alone) s")
        // The background fetch had not finished: it yielded. Then it completes on the link left to it.
        #expect(shared.harness.nodes[shared.leecher].completed[backgroundID] == nil)
        let ran = shared.harness.runFetch(backgroundID, at: shared.leecher)
        #expect(ran)
        #expect(shared.harness.nodes[shared.leecher].delivered[backgroundID] == shared.backgroundFile)
    }

    @Test("alone, a background fetch is as fast as a foreground fetch")
    func backgroundUsesSpareCapacity() throws {
        let foreground = try timeAlone(\.background, background: false)
        let background = try timeAlone(\.background, background: true)
        #expect(background <= foreground * 1.02, "foreground \(foreground) s, background \(background) s")
    }
}
