import Blocks
import DHTCrypto
import Testing

@testable import Exchange

/// The server side driven directly: caps under a flood, answers to wants.
@Suite("Exchange server")
struct ExchangeServerTests {
    static let client = ExchangePeer(id: SHA256.hash(Array("client".utf8)))

    /// A store with `count` raw blocks of `size` bytes; returns it and their CIDs.
    static func store(count: Int, size: Int) -> (MemoryBlockStore, [CID]) {
        let store = MemoryBlockStore()
        var cids: [CID] = []
        for index in 0..<count {
            var bytes = [UInt8](repeating: 0, count: size)
            withUnsafeBytes(of: UInt64(index)) { bytes.replaceSubrange(0..<8, with: $0) }
            let block = try! Block(codec: .raw, hashing: bytes)
            store.put(block)
            cids.append(block.cid)
        }
        return (store, cids)
    }

    static func sends(_ directives: [ExchangeDirective]) -> [ExchangeMessage] {
        directives.compactMap { if case .send(let message, _) = $0 { message } else { nil } }
    }

    @Test("WANT_HAVE is answered with HAVE and DONT_HAVE, and not stored")
    func wantHave() {
        let (store, cids) = Self.store(count: 2, size: 100)
        var server = ExchangeInstance(seed: 1)
        _ = server.peerConnected(Self.client, now: .zero)
        let missing = rawCID("missing")
        let directives = server.handleMessage(
            .wantHave([ExchangeWant(cid: cids[0]), ExchangeWant(cid: missing), ExchangeWant(cid: rawCID("quiet"), sendDontHave: false)]),
            from: Self.client, now: .zero, source: store)
        let messages = Self.sends(directives)
        #expect(messages.contains(.have([cids[0]])))
        #expect(messages.contains(.dontHave([missing])))
        #expect(messages.count == 2)
        #expect(server.queuedWantCount(of: Self.client) == 0)
    }

    @Test("a flood of WANT_BLOCKs: wantlist, queue and outstanding bytes stay capped")
    func flood() {
        var configuration = ExchangeConfiguration()
        configuration.maxWantlistEntriesPerPeer = 100
        configuration.maxOutstandingBytesPerPeer = 64 * 1024
        let (store, cids) = Self.store(count: 3000, size: 10_000)
        var server = ExchangeInstance(configuration: configuration, seed: 1)
        _ = server.peerConnected(Self.client, now: .zero)
        var blocksSent = 0
        var dontHaves = 0
        for start in stride(from: 0, to: cids.count, by: ExchangeMessage.maxEntries) {
            let wants = cids[start..<min(start + ExchangeMessage.maxEntries, cids.count)].map {
                ExchangeWant(cid: $0)
            }
            let messages = Self.sends(server.handleMessage(.wantBlock(wants), from: Self.client, now: .zero, source: store))
            for message in messages {
                switch message {
                case .block: blocksSent += 1
                case .dontHave(let refused): dontHaves += refused.count
                default: break
                }
            }
            #expect(server.queuedWantCount(of: Self.client) <= configuration.maxWantlistEntriesPerPeer)
        }
        // Nothing written yet: only what fits under the byte cap went out; the rest was refused or queued.
        #expect(blocksSent == 7)
        #expect(dontHaves == cids.count - blocksSent - configuration.maxWantlistEntriesPerPeer)
        #expect(server.statistics.wantsRefused == UInt64(dontHaves))
        // Cancel and re-want in a loop: stale queue entries are compacted.
        for round in 0..<50 {
            let some = Array(cids[(blocksSent + round * 3)..<(blocksSent + round * 3 + 100)])
            _ = server.handleMessage(.cancel(some), from: Self.client, now: .zero, source: store)
            _ = server.handleMessage(
                .wantBlock(some.map { ExchangeWant(cid: $0) }), from: Self.client, now: .zero, source: store)
            #expect(server.queueEntryCount(of: Self.client) <= 2 * configuration.maxWantlistEntriesPerPeer + 100)
        }
        // Draining the channel lets the queue go out, one cap's worth at a time.
        var drained = 0
        var outstanding = server.outstandingBytes(to: Self.client)
        while outstanding > 0 {
            let messages = Self.sends(
                server.sendCompleted(to: Self.client, byteCount: outstanding, now: .zero, source: store))
            drained += messages.filter { if case .block = $0 { true } else { false } }.count
            outstanding = server.outstandingBytes(to: Self.client)
            #expect(outstanding <= configuration.maxOutstandingBytesPerPeer + 10_100)
        }
        #expect(drained == configuration.maxWantlistEntriesPerPeer)
        #expect(server.queuedWantCount(of: Self.client) == 0)
    }

    @Test("PADDING: a warm-up once per connection, under the byte cap and ledger; an unwarmed receiver echoes it")
    func padding() {
        var configuration = ExchangeConfiguration()
        configuration.maxOutstandingBytesPerPeer = 64 * 1024
        let (store, cids) = Self.store(count: 2, size: 10_000)
        var instance = ExchangeInstance(configuration: configuration, seed: 1)
        _ = instance.peerConnected(Self.client, now: .zero)
        let stranger = ExchangePeer(id: SHA256.hash(Array("stranger".utf8)))
        #expect(instance.warmUp(stranger, byteCount: 1000, now: .zero).isEmpty)
        #expect(instance.warmUp(Self.client, byteCount: 0, now: .zero).isEmpty)
        #expect(Self.sends(instance.warmUp(Self.client, byteCount: 256 * 1024, now: .zero)) == [.padding(byteCount: 256 * 1024)])
        #expect(instance.warmUp(Self.client, byteCount: 256 * 1024, now: .zero).isEmpty, "once per connection")
        #expect(instance.ledgers[Self.client]?.bytesSent == UInt64(2 + 256 * 1024))
        #expect(instance.ledgers[Self.client]?.paddingBytesSent == UInt64(256 * 1024))
        // The padding fills the peer's channel: a wanted block waits until it was written.
        let blocked = Self.sends(
            instance.handleMessage(.wantBlock([ExchangeWant(cid: cids[0])]), from: Self.client, now: .zero, source: store))
        #expect(blocked.isEmpty)
        let released = Self.sends(
            instance.sendCompleted(to: Self.client, byteCount: 2 + 256 * 1024, now: .zero, source: store))
        #expect(released.count == 1)
        // This side warmed already: a PADDING received is counted and not answered.
        #expect(instance.handleMessage(.padding(byteCount: 100), from: Self.client, now: .zero, source: store).isEmpty)
        #expect(instance.statistics.messagesReceived[.padding] == 1)
        #expect(instance.ledgers[Self.client]?.paddingBytesReceived == 100)

        // A side that has not warmed answers once, capped at warmUpEchoBytes; a new connection starts over.
        var other = ExchangeInstance(seed: 2)
        _ = other.peerConnected(Self.client, now: .zero)
        let echo = Self.sends(
            other.handleMessage(.padding(byteCount: 1 << 20), from: Self.client, now: .zero, source: store))
        #expect(echo == [.padding(byteCount: ExchangeConfiguration().warmUpEchoBytes)])
        #expect(Self.sends(other.handleMessage(.padding(byteCount: 10), from: Self.client, now: .zero, source: store)).isEmpty)
        _ = other.peerDisconnected(Self.client, now: .zero)
        _ = other.peerConnected(Self.client, now: .zero)
        #expect(Self.sends(other.warmUp(Self.client, byteCount: .max, now: .zero)) == [.padding(byteCount: ExchangeMessage.maxPaddingByteCount)])
    }

    @Test("priorities: higher first, then arrival order")
    func priorities() {
        var configuration = ExchangeConfiguration()
        configuration.maxOutstandingBytesPerPeer = 1
        let (store, cids) = Self.store(count: 4, size: 100)
        var server = ExchangeInstance(configuration: configuration, seed: 1)
        _ = server.peerConnected(Self.client, now: .zero)
        var order: [CID] = []
        let wants = [
            ExchangeWant(cid: cids[0], priority: 1), ExchangeWant(cid: cids[1], priority: 5),
            ExchangeWant(cid: cids[2], priority: 5), ExchangeWant(cid: cids[3], priority: 9),
        ]
        var messages = Self.sends(server.handleMessage(.wantBlock(wants), from: Self.client, now: .zero, source: store))
        while let message = messages.first {
            guard case .block(let cid, _) = message else { break }
            order.append(cid)
            messages = Self.sends(
                server.sendCompleted(to: Self.client, byteCount: message.encodedCount, now: .zero, source: store))
        }
        #expect(order == [cids[3], cids[1], cids[2], cids[0]])
    }

    /// A source that records which blocks it was told to prepare.
    final class PreparingSource: BlockSource {
        let store: MemoryBlockStore
        private(set) var prepared: [CID] = []
        init(_ store: MemoryBlockStore) { self.store = store }
        func hasBlock(_ cid: CID) -> Bool { store.hasBlock(cid) }
        func blockBytes(_ cid: CID) -> [UInt8]? { store.blockBytes(cid) }
        func prepareToServe(_ cid: CID) { prepared.append(cid) }
    }

    @Test("queued WANT_BLOCKs are prepared ahead within the caps; served and cancelled ones make room, oldest first")
    func preparedAhead() {
        var configuration = ExchangeConfiguration()
        configuration.maxOutstandingBytesPerPeer = 1  // one block in the channel at a time
        configuration.maxPreparedBlocksPerPeer = 3
        configuration.maxPreparedBlocksTotal = 4
        let (store, cids) = Self.store(count: 12, size: 100)
        let source = PreparingSource(store)
        let other = ExchangePeer(id: SHA256.hash(Array("other".utf8)))
        var server = ExchangeInstance(configuration: configuration, seed: 1)
        _ = server.peerConnected(Self.client, now: .zero)
        _ = server.peerConnected(other, now: .zero)

        // WANT_HAVE prepares nothing: the peer may never ask for the block.
        let asker = ExchangePeer(id: SHA256.hash(Array("asker".utf8)))
        _ = server.peerConnected(asker, now: .zero)
        _ = server.handleMessage(.wantHave(cids.map { ExchangeWant(cid: $0) }), from: asker, now: .zero, source: source)
        #expect(source.prepared.isEmpty)

        // Eight wants: the first three are prepared as they are queued, and the first is sent at once, which makes
        // room for the fourth.
        var messages = Self.sends(server.handleMessage(
            .wantBlock(cids[0..<8].map { ExchangeWant(cid: $0) }), from: Self.client, now: .zero, source: source))
        #expect(messages == [.block(cids[0], bytes: store.blockBytes(cids[0])!)])
        #expect(source.prepared == Array(cids[0..<4]))
        #expect(server.preparedWantCount(of: Self.client) == 3)

        // Cancelling two unsent prepared wants makes room for the next two waiting, oldest first.
        _ = server.handleMessage(.cancel([cids[2], cids[1]]), from: Self.client, now: .zero, source: source)
        #expect(source.prepared == Array(cids[0..<6]))
        #expect(server.preparedWantCount(of: Self.client) == 3)

        // The other peer gets the one place left of the total for its first want; that block is sent at once,
        // which gives the place to its second.
        _ = server.handleMessage(
            .wantBlock(cids[8..<10].map { ExchangeWant(cid: $0) }), from: other, now: .zero, source: source)
        #expect(source.prepared == Array(cids[0..<6]) + [cids[8], cids[9]])
        #expect(server.preparedWantCount(of: other) == 1)

        // Served in order, every block was prepared before it was read.
        var sent: [CID] = []
        while case .block(let cid, _)? = messages.first {
            sent.append(cid)
            let written = messages[0].encodedCount
            messages = Self.sends(server.sendCompleted(to: Self.client, byteCount: written, now: .zero, source: source))
                .filter { if case .block = $0 { true } else { false } }
        }
        #expect(sent == [cids[0]] + Array(cids[3..<8]))
        #expect(sent.allSatisfy { source.prepared.contains($0) })
        #expect(server.preparedWantCount(of: Self.client) == 0)

        // A peer that leaves gives its places back.
        _ = server.peerDisconnected(other, now: .zero)
        _ = server.handleMessage(
            .wantBlock(cids[10..<12].map { ExchangeWant(cid: $0) }), from: Self.client, now: .zero, source: source)
        #expect(source.prepared.suffix(2) == Array(cids[10..<12]))
    }

    @Test("a block nobody wanted is dropped unhashed and counted; unknown peers are ignored")
    func unwanted() {
        var instance = ExchangeInstance(seed: 1)
        let stranger = ExchangePeer(id: SHA256.hash(Array("stranger".utf8)))
        #expect(instance.handleMessage(.have([rawCID("a")]), from: stranger, now: .zero, source: MemoryBlockStore()).isEmpty)
        #expect(instance.statistics.messagesFromUnknownPeers == 1)
        _ = instance.peerConnected(Self.client, now: .zero)
        let directives = instance.handleMessage(
            .block(rawCID("a"), bytes: [1, 2, 3]), from: Self.client, now: .zero, source: MemoryBlockStore())
        #expect(directives.isEmpty)
        #expect(instance.statistics.unwantedBlocks == 1)
        #expect(instance.ledgers[Self.client]?.duplicateBytes == 3)
    }

    @Test("the peer cap refuses connections over it")
    func peerCap() {
        var configuration = ExchangeConfiguration()
        configuration.maxPeers = 2
        var instance = ExchangeInstance(configuration: configuration, seed: 1)
        for index in 0..<3 {
            let peer = ExchangePeer(id: SHA256.hash(Array("p\(index)".utf8)))
            let directives = instance.peerConnected(peer, now: .zero)
            if index < 2 {
                #expect(directives.isEmpty)
            } else {
                guard case .disconnect(_, .tooManyPeers, nil)? = directives.first else {
                    Issue.record("expected a refusal, got \(directives)")
                    return
                }
            }
        }
        #expect(instance.peerCount == 2)
    }
}
