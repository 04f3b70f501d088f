import Blocks
import DHTCrypto
import Exchange
import NIOCore
import SecureChannel
import Testing

@testable import DHTNode

/// The exchange shell over real TCP on 127.0.0.1: a file fetched byte for byte from one seeder, and from two.
@Suite("Exchange nodes over secure TCP", .serialized)
struct ExchangeNodeTests {
    /// `count` bytes that differ block to block (so that no two leaves share a CID).
    static func fileBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// Imports `bytes` as a UnixFS file with small chunks and links (a DAG of several levels); returns the root.
    static func importFile(_ bytes: [UInt8], into store: MemoryBlockStore) throws -> CID {
        var builder = BalancedDAGBuilder(profile: try ImportProfile(chunkSize: 32 * 1024, maxLinks: 16))
        try builder.append(bytes, to: store)
        return try builder.finish(to: store).root
    }

    /// Starts a listening node holding `store`; returns it and its address.
    static func seeder(_ store: MemoryBlockStore) async throws -> (ExchangeNode<MemoryBlockStore>, SocketAddress) {
        let node = ExchangeNode(identity: .generate(), store: store, seed: 1)
        let address = try await node.listen(host: "127.0.0.1", port: 0)
        return (node, address)
    }

    /// Runs `body`, then closes `nodes`, whether `body` threw or not.
    static func closing(_ nodes: [ExchangeNode<MemoryBlockStore>], _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            for node in nodes { await node.close() }
            throw error
        }
        for node in nodes { await node.close() }
    }

    /// Reads a fetch to its end.
    static func collect(_ fetch: ExchangeFetch) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in fetch.bytes { bytes += chunk }
        return bytes
    }

    @Test("One seeder: the whole file and a range, byte for byte, and the blocks are stored")
    func oneSeeder() async throws {
        let file = Self.fileBytes(1_000_000, seed: 7)
        let seedStore = MemoryBlockStore()
        let root = try Self.importFile(file, into: seedStore)
        let (seeder, address) = try await Self.seeder(seedStore)
        let leecherStore = MemoryBlockStore()
        let leecher = ExchangeNode(identity: .generate(), store: leecherStore, seed: 2)
        try await Self.closing([leecher, seeder]) {
            let key = seeder.transport.identity.publicKey
            let peer = try await leecher.connect(to: address, expecting: key)
            #expect(peer == seeder.peer)

            let fetch = try await leecher.fetch(root)
            let bytes = try await Self.collect(fetch)
            #expect(bytes == file)
            let statistics = try #require(fetch.statistics)
            #expect(statistics.bytesDelivered == UInt64(file.count))
            #expect(statistics.peers[seeder.peer]?.bytes == statistics.blockBytes)
            #expect(leecherStore.count == seedStore.count)

            let range = try await leecher.fetch(root, range: 300_000..<700_001)
            #expect(try await Self.collect(range) == Array(file[300_000..<700_001]))
        }
    }

    @Test("A warm-up's PADDING reaches the peer, which echoes it once; a fetch over the same connection is unaffected")
    func warmUp() async throws {
        let file = Self.fileBytes(600_000, seed: 11)
        let seedStore = MemoryBlockStore()
        let root = try Self.importFile(file, into: seedStore)
        let (seeder, address) = try await Self.seeder(seedStore)
        let leecher = ExchangeNode(identity: .generate(), store: MemoryBlockStore(), seed: 2)
        try await Self.closing([leecher, seeder]) {
            let peer = try await leecher.connect(to: address, expecting: seeder.transport.identity.publicKey)
            // Only the leecher warms. The seeder reads its PADDING before the fetch's wants (one connection, in
            // order) and queues its echo before any block, so the echo has arrived by the time the fetch ends.
            await leecher.warmUp(peer, byteCount: 256 * 1024)
            let fetch = try await leecher.fetch(root)
            #expect(try await Self.collect(fetch) == file)
            #expect(await leecher.statistics.messagesReceived[.padding] == 1)
            #expect(await seeder.statistics.messagesReceived[.padding] == 1)
            let statistics = try #require(fetch.statistics)
            #expect(statistics.duplicateBytes == 0)
        }
    }

    @Test("A frame that is not a message closes the connection")
    func garbageFrame() async throws {
        let (node, address) = try await Self.seeder(MemoryBlockStore())
        try await Self.closing([node]) {
            let client = try await SecureTransport(identity: .generate())
                .connect(to: address, expecting: node.transport.identity.publicKey)
            try await client.channel.executeThenClose { inbound, outbound in
                try await outbound.write(SecureFramePlaintext(head: [0xFF, 0xFF, 0xFF, 0xFF, 0x00]))
                // The node closes the connection: the inbound frames end (or throw) without one arriving.
                var frames = 0
                do {
                    for try await _ in inbound { frames += 1 }
                } catch {}
                #expect(frames == 0)
            }
            for _ in 0..<100 where await !node.connectedPeers.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await node.connectedPeers.isEmpty)
        }
    }

    @Test("Two seeders: both contribute, the file arrives byte for byte")
    func twoSeeders() async throws {
        let file = Self.fileBytes(4 * 1024 * 1024, seed: 11)
        let stores = [MemoryBlockStore(), MemoryBlockStore()]
        let root = try Self.importFile(file, into: stores[0])
        #expect(try Self.importFile(file, into: stores[1]) == root)
        let (first, firstAddress) = try await Self.seeder(stores[0])
        let (second, secondAddress) = try await Self.seeder(stores[1])
        let leecher = ExchangeNode(identity: .generate(), store: MemoryBlockStore(), seed: 3)
        try await Self.closing([leecher, first, second]) {
            _ = try await leecher.connect(to: firstAddress, expecting: first.transport.identity.publicKey)
            _ = try await leecher.connect(to: secondAddress, expecting: second.transport.identity.publicKey)
            #expect(await leecher.connectedPeers.count == 2)

            // Both as providers, useful from the start: otherwise, on a loaded machine, the first HAVE may arrive
            // long enough before the second that the first seeder's window takes the whole file.
            let fetch = try await leecher.fetch(root)
            await leecher.addProvider(first.peer, to: fetch.id)
            await leecher.addProvider(second.peer, to: fetch.id)
            #expect(try await Self.collect(fetch) == file)
            let statistics = try #require(fetch.statistics)
            let fromFirst = statistics.peers[first.peer]?.bytes ?? 0
            let fromSecond = statistics.peers[second.peer]?.bytes ?? 0
            print(
                "2 → 1 over TCP: \(fromFirst) + \(fromSecond) block bytes, duplicates \(statistics.duplicateBytes),"
                    + " ttlb \(statistics.timeToLastByte.map { "\($0)" } ?? "?")"
            )
            #expect(fromFirst > 0 && fromSecond > 0, "first \(fromFirst), second \(fromSecond)")
            #expect(fromFirst + fromSecond == statistics.blockBytes)
        }
    }

    @Test("A frame holds exactly the codec's encoding (a BLOCK built from its header and bytes)")
    func frameMatchesEncoding() throws {
        let store = MemoryBlockStore()
        let root = try Self.importFile(Self.fileBytes(100_000, seed: 3), into: store)
        let bytes = try #require(try store.get(root))
        let messages: [ExchangeMessage] = [
            .block(root, bytes: bytes), .block(root, bytes: []), .cancel([root]), .padding(byteCount: 0),
            .padding(byteCount: 300_000),
        ]
        for message in messages {
            let frame = try ExchangeNode<MemoryBlockStore>.frame(for: message)
            #expect(frame.bytes == (try message.encoded()))
        }
    }
}

