import Blocks
import DHTCrypto
import HeapModule

@testable import Exchange

/// A deterministic in-memory network of ``ExchangeInstance``s: a virtual clock, an event queue, and per-node
/// links with an uplink and a downlink rate (bytes per second, 0 for unlimited) plus a one-way delay per pair.
///
/// A message sent at `t` waits for its sender's uplink (FIFO), takes size/uplink on it (the sender's
/// `sendCompleted` fires when it is off the uplink), travels the delay, then waits for and takes size/downlink on
/// the receiver's downlink, and is handled when it is through. Nothing depends on wall-clock time or on hash
/// order, so a run is a function of its inputs. It can become a `Simulator` scenario later.
struct ExchangeHarness {
    /// One simulated node.
    struct Node {
        var instance: ExchangeInstance
        let store: MemoryBlockStore
        let peer: ExchangePeer
        var uplink: Double = 0
        var downlink: Double = 0
        var upBusy = ExchangeInstant.zero
        var downBusy = ExchangeInstant.zero
        var online = true
        var tickAt: ExchangeInstant?
        /// CIDs whose bytes this node corrupts when it sends them (a lying seeder).
        var lies: Set<CID> = []
        /// Whether this node's messages are lost (a peer that stops answering without disconnecting).
        var silent = false
        /// Bytes delivered per fetch, checked to arrive in order.
        var delivered: [FetchID: [UInt8]] = [:]
        /// Leaves that fetches started with `referencesLeaves` handed out instead of storing them.
        var references: [FetchID: [FileReference]] = [:]
        var completed: [FetchID: FetchStatistics] = [:]
        var failed: [FetchID: FetchFailure] = [:]
        /// Peers this node disconnected, and why.
        var disconnects: [(peer: ExchangePeer, reason: DisconnectReason)] = []
        /// Block messages this node sent, by CID (to check what a range fetch touched).
        var blocksSent: [CID: Int] = [:]
        var outOfOrder = 0
    }

    enum Event {
        /// Reaches the receiver's downlink (which it then waits for, in arrival order).
        case arrive(from: Int, to: Int, ExchangeMessage, epoch: Int)
        case message(from: Int, to: Int, ExchangeMessage, epoch: Int)
        case sendCompleted(node: Int, to: Int, byteCount: Int, epoch: Int)
        case tick(node: Int)
    }

    struct Scheduled: Comparable {
        var at: ExchangeInstant
        var sequence: UInt64
        var event: Event

        static func < (lhs: Scheduled, rhs: Scheduled) -> Bool { (lhs.at, lhs.sequence) < (rhs.at, rhs.sequence) }
        static func == (lhs: Scheduled, rhs: Scheduled) -> Bool { lhs.sequence == rhs.sequence }
    }

    var nodes: [Node] = []
    private(set) var now = ExchangeInstant.zero
    private var queue = Heap<Scheduled>()
    private var sequence: UInt64 = 0
    /// One-way delay between two nodes (both directions).
    var delay: Duration = .milliseconds(5)
    /// Whether messages reach the core as ``ReceivedMessage``s, their blocks hashed by the "shell" (as the daemon
    /// does), instead of as plain messages that the core hashes.
    var hashesInShell = false
    /// Connection generation per ordered pair; messages of an older generation are lost.
    private var epochs: [[Int]] = []
    private var connected: Set<[Int]> = []
    private(set) var eventCount = 0

    /// Adds a node; returns its index.
    @discardableResult
    mutating func addNode(
        configuration: ExchangeConfiguration = ExchangeConfiguration(),
        uplink: Double = 0,
        downlink: Double = 0
    ) -> Int {
        let index = nodes.count
        let id = SHA256.hash(Array("node \(index)".utf8))
        var node = Node(
            instance: ExchangeInstance(configuration: configuration, seed: UInt64(index) &+ 1),
            store: MemoryBlockStore(),
            peer: ExchangePeer(id: id))
        node.uplink = uplink
        node.downlink = downlink
        nodes.append(node)
        for row in epochs.indices { epochs[row].append(0) }
        epochs.append([Int](repeating: 0, count: nodes.count))
        return index
    }

    /// The index of the node named `peer`.
    func index(of peer: ExchangePeer) -> Int? { nodes.firstIndex { $0.peer == peer } }

    /// Imports `bytes` into `node`'s store as a UnixFS file; returns the root.
    mutating func importFile(_ bytes: [UInt8], into node: Int, chunkSize: Int, maxLinks: Int = 174) throws -> CID {
        var builder = BalancedDAGBuilder(profile: try ImportProfile(chunkSize: chunkSize, maxLinks: maxLinks))
        let store = nodes[node].store
        try builder.append(bytes, to: store)
        return try builder.finish { (block: Block) throws(BlockStoreError) in try store.put(block) }.root
    }

    /// Copies every block of `from`'s store into `to`'s store.
    func copyBlocks(from: Int, to: Int) {
        for multihash in nodes[from].store.multihashes {
            let cid = CID.raw(multihash)
            if let bytes = nodes[from].store.get(cid) { try? nodes[to].store.put(bytes, as: cid) }
        }
    }

    /// Connects two nodes (both instances learn of the other).
    mutating func connect(_ a: Int, _ b: Int) {
        connected.insert([min(a, b), max(a, b)])
        let peerB = nodes[b].peer
        let peerA = nodes[a].peer
        apply(nodes[a].instance.peerConnected(peerB, now: now), at: a)
        apply(nodes[b].instance.peerConnected(peerA, now: now), at: b)
    }

    /// Connects `source` to `node` as a dedicated source of `node` (an HTTP source: it serves only the fetches it is
    /// added to with ``addProvider(_:to:at:)``); `source` sees `node` as any peer.
    mutating func connectSource(_ source: Int, to node: Int) {
        connected.insert([min(source, node), max(source, node)])
        apply(nodes[node].instance.peerConnected(nodes[source].peer, dedicated: true, now: now), at: node)
        apply(nodes[source].instance.peerConnected(nodes[node].peer, now: now), at: source)
    }

    /// Closes the connection between two nodes: messages in flight are lost.
    mutating func disconnect(_ a: Int, _ b: Int) {
        guard connected.remove([min(a, b), max(a, b)]) != nil else { return }
        epochs[a][b] += 1
        epochs[b][a] += 1
        let peerB = nodes[b].peer
        let peerA = nodes[a].peer
        apply(nodes[a].instance.peerDisconnected(peerB, now: now), at: a)
        apply(nodes[b].instance.peerDisconnected(peerA, now: now), at: b)
    }

    /// Takes a node off the network: every connection of it closes.
    mutating func takeOffline(_ node: Int) {
        for other in nodes.indices where other != node { disconnect(node, other) }
        nodes[node].online = false
    }

    /// Starts a fetch at `node`.
    mutating func startFetch(
        at node: Int,
        root: CID,
        range: Range<UInt64>? = nil,
        pacedByReader: Bool = false,
        deliversBytes: Bool = true,
        referencesLeaves: Bool = false,
        preferring preferred: [Int] = [],
        background: Bool = false
    ) -> FetchID {
        let (id, directives) = nodes[node].instance.startFetch(
            root,
            range: range,
            pacedByReader: pacedByReader,
            deliversBytes: deliversBytes,
            referencesLeaves: referencesLeaves,
            preferring: Set(preferred.map { nodes[$0].peer }),
            background: background,
            now: now
        )
        nodes[node].delivered[id] = []
        apply(directives, at: node)
        return id
    }

    /// The reader at `node` took the fetch's bytes before `offset`.
    mutating func consume(_ id: FetchID, upTo offset: UInt64, at node: Int) {
        apply(nodes[node].instance.consumed(id, upTo: offset, now: now), at: node)
    }

    /// Tells `node` that `provider` provides the fetch's root.
    mutating func addProvider(_ provider: Int, to id: FetchID, at node: Int) {
        apply(nodes[node].instance.addProvider(nodes[provider].peer, to: id, now: now), at: node)
    }

    private mutating func schedule(_ event: Event, at: ExchangeInstant) {
        sequence += 1
        queue.insert(Scheduled(at: at, sequence: sequence, event: event))
    }

    private static func transmission(_ bytes: Int, rate: Double) -> Duration {
        rate > 0 ? .nanoseconds(Int64(Double(bytes) / rate * 1e9)) : .zero
    }

    /// Carries out `directives` of `node`.
    mutating func apply(_ directives: [ExchangeDirective], at node: Int) {
        for directive in directives {
            switch directive {
            case .send(var message, let peer):
                guard let target = index(of: peer) else { continue }
                if case .block(let cid, var bytes) = message {
                    nodes[node].blocksSent[cid, default: 0] += 1
                    if nodes[node].lies.contains(cid), !bytes.isEmpty {
                        bytes[0] ^= 0xff
                        message = .block(cid, bytes: bytes)
                    }
                }
                let size = message.encodedCount
                let start = max(now, nodes[node].upBusy)
                let sent = start + Self.transmission(size, rate: nodes[node].uplink)
                nodes[node].upBusy = sent
                let epoch = epochs[node][target]
                schedule(.sendCompleted(node: node, to: target, byteCount: size, epoch: epoch), at: sent)
                if !nodes[node].silent {
                    schedule(.arrive(from: node, to: target, message, epoch: epoch), at: sent + delay)
                }
            case .store(let block):
                nodes[node].store.put(block)
            case .referenceLeaf(let id, let reference):
                nodes[node].references[id, default: []].append(reference)
            case .deliver(let id, let offset, let bytes):
                if UInt64(nodes[node].delivered[id, default: []].count) != offset { nodes[node].outOfOrder += 1 }
                nodes[node].delivered[id, default: []].append(contentsOf: bytes)
            case .completed(let id, let statistics):
                nodes[node].completed[id] = statistics
            case .failed(let id, let failure, _):
                nodes[node].failed[id] = failure
            case .disconnect(let peer, let reason, _):
                nodes[node].disconnects.append((peer, reason))
                if let other = index(of: peer) { disconnect(node, other) }
            case .scheduleTick(let at):
                if nodes[node].tickAt == nil || at < nodes[node].tickAt! {
                    nodes[node].tickAt = at
                    schedule(.tick(node: node), at: at)
                }
            }
        }
    }

    /// Runs events until `done` holds, the queue empties, or `limit` passes. Returns whether `done` held.
    @discardableResult
    mutating func run(until limit: Duration = .seconds(120), _ done: (ExchangeHarness) -> Bool) -> Bool {
        let end = now + limit
        while !done(self) {
            guard let next = queue.popMin(), next.at <= end else { return false }
            now = max(now, next.at)
            eventCount += 1
            switch next.event {
            case .arrive(let from, let to, let message, let epoch):
                let start = max(now, nodes[to].downBusy)
                let received = start + Self.transmission(message.encodedCount, rate: nodes[to].downlink)
                nodes[to].downBusy = received
                schedule(.message(from: from, to: to, message, epoch: epoch), at: received)
            case .message(let from, let to, let message, let epoch):
                guard epoch == epochs[from][to], nodes[to].online else { continue }
                let source = nodes[to].store
                let directives =
                    hashesInShell
                    ? nodes[to].instance.handleMessage(
                        ReceivedMessage(hashing: message), from: nodes[from].peer, now: now, source: source)
                    : nodes[to].instance.handleMessage(message, from: nodes[from].peer, now: now, source: source)
                apply(directives, at: to)
            case .sendCompleted(let node, let to, let byteCount, let epoch):
                guard epoch == epochs[node][to], nodes[node].online else { continue }
                let source = nodes[node].store
                apply(
                    nodes[node].instance.sendCompleted(
                        to: nodes[to].peer, byteCount: byteCount, now: now, source: source),
                    at: node)
            case .tick(let node):
                guard nodes[node].online, nodes[node].tickAt == next.at else { continue }
                nodes[node].tickAt = nil
                apply(nodes[node].instance.tick(now: now, source: nodes[node].store), at: node)
            }
        }
        return true
    }

    /// Runs until `node` completed or failed fetch `id`.
    @discardableResult
    mutating func runFetch(_ id: FetchID, at node: Int, limit: Duration = .seconds(120)) -> Bool {
        run(until: limit) { $0.nodes[node].completed[id] != nil || $0.nodes[node].failed[id] != nil }
    }

    /// Deterministic pseudo-random file bytes.
    static func fileBytes(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }
}
