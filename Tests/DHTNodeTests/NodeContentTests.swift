import Blocks
import DHTCrypto
import Exchange
import Foundation
import Kademlia
import Testing

@testable import DHTNode

/// `Node` with a block store: a file provided by one node is found through the DHT and fetched by another that is
/// connected to nobody, a range fetches only its blocks, and a root nobody provides fails in time.
@Suite("Nodes that exchange blocks", .serialized)
struct NodeContentTests {
    /// Five nodes with memory stores, joined through the first; returns them and their stores.
    static func swarm(unavailableTimeout: Duration = .seconds(30)) async throws -> ([Node], [MemoryBlockStore]) {
        var nodes: [Node] = []
        var stores: [MemoryBlockStore] = []
        for index in 0..<5 {
            let store = MemoryBlockStore()
            var configuration = LoopbackSwarm.configuration(bootstrap: nodes.first.map { $0.listeningAddresses } ?? [])
            configuration.content = ContentConfiguration(
                store: store,
                providerSearchInterval: .milliseconds(500),
                unavailableTimeout: unavailableTimeout
            )
            let node = Node(configuration: configuration)
            try await node.start()
            if index > 0 { _ = try await node.bootstrap() }
            nodes.append(node)
            stores.append(store)
        }
        return (nodes, stores)
    }

    static func stop(_ nodes: [Node]) async {
        for node in nodes { await node.stop() }
    }

    static func collect(_ fetch: ContentFetch) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await piece in fetch.bytes { bytes += piece }
        return bytes
    }

    @Test("a provided file is found in the DHT and fetched, whole and as a range, by a node connected to nobody")
    func provideAndCat() async throws {
        let (nodes, stores) = try await Self.swarm()
        let file = ExchangeNodeTests.fileBytes(700_000, seed: 11)
        let root = try ExchangeNodeTests.importFile(file, into: stores[1])
        let report = try await nodes[1].provide(root)
        #expect(report.accepted >= 1)

        let fetcher = nodes[4]
        #expect(await fetcher.exchange!.connectedPeers.isEmpty)
        let fetch = try await fetcher.cat(root)
        #expect(try await Self.collect(fetch) == file)
        try await fetch.settled()
        let statistics = try #require(fetch.statistics)
        #expect(statistics.bytesDelivered == UInt64(file.count))
        #expect(statistics.peers.keys.contains(ExchangePeer(nodes[1].id)))
        #expect(try stores[4].has(root))

        let range = try await fetcher.cat(root, range: 300_000..<300_500)
        #expect(try await Self.collect(range) == Array(file[300_000..<300_500]))
        await Self.stop(nodes)
    }

    @Test("add(bytes:) stores and announces a file that another node fetches into a file, with progress events")
    func addThenFetchToFile() async throws {
        let (nodes, _) = try await Self.swarm()
        let file = ExchangeNodeTests.fileBytes(3_000_000, seed: 12)
        let added = try await nodes[1].add(bytes: file)
        #expect(added.root == (try BalancedDAGBuilder.importBytes(file, to: MemoryBlockStore()).root))
        #expect(added.size == UInt64(file.count))
        #expect(added.announced)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("node-fetch-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/copy.bin"
        var events: [FetchProgress] = []
        for try await progress in nodes[4].fetch(added.root, toFile: path) { events.append(progress) }
        let last = try #require(events.last)
        #expect(last.bytes == UInt64(file.count))
        #expect(last.total == UInt64(file.count))
        #expect(last.statistics?.bytesDelivered == UInt64(file.count))
        #expect(events.dropLast().allSatisfy { $0.statistics == nil })
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == file)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["copy.bin"])
        await Self.stop(nodes)
    }

    @Test("a fetch to a file that fails leaves no file behind")
    func fetchToFileFails() async throws {
        let (nodes, _) = try await Self.swarm(unavailableTimeout: .seconds(1))
        let nobody = try CID(codec: .raw, hashing: Array("nobody has this either".utf8))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("node-fetch-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(throws: NodeError.self) {
            for try await _ in nodes[2].fetch(nobody, toFile: folder + "/never.bin") {}
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        await Self.stop(nodes)
    }

    @Test("a root nobody provides ends with contentUnavailable after the timeout")
    func unavailable() async throws {
        let (nodes, _) = try await Self.swarm(unavailableTimeout: .seconds(1))
        let nobody = try CID(codec: .raw, hashing: Array("nobody has this".utf8))
        let fetch = try await nodes[2].cat(nobody)
        let started = ContinuousClock.now
        await #expect(throws: NodeError.self) { _ = try await Self.collect(fetch) }
        #expect(started.duration(to: .now) < .seconds(10))
        await Self.stop(nodes)
    }

    @Test("the provider key of a CID is SHA-256 of its multihash: CIDv0 and CIDv1 of the same bytes share it")
    func providerKey() throws {
        let v0 = try CID(parsing: "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n")
        #expect(RecordKey(providing: v0) == RecordKey(providing: v0.v1))
        #expect(RecordKey(providing: v0) == NodeID(hashing: v0.multihash.bytes))
        #expect(NodeID(namingContent: v0.v1.description) == RecordKey(providing: v0))
        #expect(NodeID(namingContent: "greeting") == NodeID(naming: "greeting"))
    }

    @Test("the upload limiter: a full bucket passes a burst, then charges the rate")
    func uploadLimiter() {
        let start = ContinuousClock.now
        let limiter = UploadLimiter(bytesPerSecond: 1_000_000, maxBlockBytes: 262_144, now: start)
        #expect(limiter.burstBytes == 262_144)
        #expect(limiter.delay(for: 262_144, now: start) == .zero)
        // The bucket is empty: 500 kB more costs half a second.
        let wait = limiter.delay(for: 500_000, now: start)
        #expect(wait > .milliseconds(490) && wait < .milliseconds(510))
        // 1.5 s later the debt is repaid and the bucket full again (never above the burst): 200 kB pass at once,
        // 100 kB more wait for what is missing.
        #expect(limiter.delay(for: 200_000, now: start + .seconds(1.5)) == .zero)
        let more = limiter.delay(for: 100_000, now: start + .seconds(1.5))
        #expect(more > .milliseconds(35) && more < .milliseconds(40))
    }
}
