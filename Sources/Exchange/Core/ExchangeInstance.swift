import Blocks

/// A block-exchange node as a pure state machine: events go in, directives come out.
///
/// It owns no channel, reads no clock and draws randomness only from its seeded generator. The shell (the secure
/// TCP service of DHTNode, a test harness, or the simulator) tells it when peers connect and disconnect, hands it
/// every decoded ``ExchangeMessage`` with ``handleMessage(_:from:now:source:)``, reports written bytes with
/// ``sendCompleted(to:byteCount:now:source:)``, calls ``tick(now:)`` when asked, and starts fetches with
/// ``startFetch(_:range:now:)``. It carries out the returned ``ExchangeDirective``s in order.
///
/// Both roles share one instance, because they share the peer's channel: the server answers wants from a
/// ``BlockSource`` (see ``ExchangeServer``-level rules in docs/PROTOCOL.md), and fetch sessions download DAGs.
/// Rules enforced here:
/// - Every block is hashed against its CID before it is stored, passed to a fetch or delivered. A peer whose
///   block fails its hash is disconnected and banned for ``ExchangeConfiguration/banDuration``; a banned peer is
///   refused on connect.
/// - A block that no fetch waits for is dropped unhashed and counted as a duplicate in the sender's ledger.
/// - Every table is capped by ``ExchangeConfiguration``.
public struct ExchangeInstance: Sendable {
    /// Counters of what the instance saw and did.
    public struct Statistics: Hashable, Sendable {
        /// Messages handled, by type.
        public var messagesReceived: [ExchangeMessageType: UInt64] = [:]
        /// Messages from peers that are not connected (dropped).
        public var messagesFromUnknownPeers: UInt64 = 0
        /// Blocks that failed their hash (each banned its sender).
        public var invalidBlocks: UInt64 = 0
        /// Blocks no fetch waited for (dropped unhashed).
        public var unwantedBlocks: UInt64 = 0
        /// `WANT_BLOCK` entries refused because a wantlist was full.
        public var wantsRefused: UInt64 = 0
        /// Peers refused on connect (banned or over the peer cap).
        public var peersRefused: UInt64 = 0
        /// Peers disconnected because their channels stopped draining (``DisconnectReason/slowReader``).
        public var slowReadersCut: UInt64 = 0
    }

    /// The tuning in force.
    public let configuration: ExchangeConfiguration
    /// Counters for metrics and tests.
    public private(set) var statistics = Statistics()
    /// The ledger of each connected peer.
    public private(set) var ledgers: [ExchangePeer: PeerLedger] = [:]

    private var server: ExchangeServer
    private var sessions: [FetchID: FetchSession] = [:]
    /// Fetch IDs in start order (deterministic iteration).
    private var sessionOrder: [FetchID] = []
    /// Connected peers in connection order (deterministic invitations).
    private var connected: [ExchangePeer] = []
    /// Connected sources that serve only the fetches they are added to (``peerConnected(_:dedicated:now:)``).
    private var dedicatedPeers: Set<ExchangePeer> = []
    private var bans: [ExchangePeer: ExchangeInstant] = [:]
    private var random: SplitMix64
    private var nextFetch: UInt64 = 1
    private var tickAt: ExchangeInstant?

    /// Creates an instance with no peers and no fetches.
    ///
    /// - Parameter seed: seeds the generator (tie-breaks); tests and the simulator pick it for reproducible runs.
    public init(configuration: ExchangeConfiguration = ExchangeConfiguration(), seed: UInt64) {
        self.configuration = configuration
        self.server = ExchangeServer(configuration: configuration)
        self.random = SplitMix64(seed: seed)
    }

    // MARK: Queries

    /// Fetches under way.
    public var fetchCount: Int { sessions.count }
    /// Connected peers.
    public var peerCount: Int { connected.count }
    /// `WANT_BLOCK` entries queued for `peer` on the server side.
    public func queuedWantCount(of peer: ExchangePeer) -> Int { server.wantCount(of: peer) }
    /// Server queue entries (live and stale) held for `peer`; at most twice the wantlist cap plus one message.
    public func queueEntryCount(of peer: ExchangePeer) -> Int { server.queueCount(of: peer) }
    /// Bytes handed to the shell for `peer` and not yet reported written.
    public func outstandingBytes(to peer: ExchangePeer) -> Int { server.outstanding(of: peer) }
    /// Queued wants of `peer` whose blocks the source was told to prepare and that are not yet served.
    public func preparedWantCount(of peer: ExchangePeer) -> Int { server.preparedCount(of: peer) }
    /// Bytes waiting in the channels of peers that drain, against ``ExchangeConfiguration/maxOutstandingBytesTotal``.
    public var drainingOutstandingBytes: Int { server.totalOutstanding }
    /// Bytes waiting in the channels of stalled peers, against ``ExchangeConfiguration/maxStalledBytesTotal``.
    public var stalledOutstandingBytes: Int { server.stalledOutstanding }
    /// Whether `peer`'s channel wrote nothing for ``ExchangeConfiguration/drainStallTimeout`` while bytes waited.
    public func isStalled(_ peer: ExchangePeer) -> Bool { server.isStalled(peer) }
    /// Bans remembered (expired ones are dropped on ``tick(now:)``).
    public var banCount: Int { bans.count }
    /// Whether `peer` is banned at `now`.
    public func isBanned(_ peer: ExchangePeer, now: ExchangeInstant) -> Bool { (bans[peer] ?? .zero) > now }
    /// The statistics of a running fetch.
    public func fetchStatistics(_ id: FetchID) -> FetchStatistics? { sessions[id]?.statistics }
    /// Blocks known and not received of a running fetch.
    public func pendingBlockCount(_ id: FetchID) -> Int? { sessions[id]?.pendingCount }

    // MARK: Peers

    /// A channel to `peer` is up. A banned peer, or one over ``ExchangeConfiguration/maxPeers``, gets a
    /// ``ExchangeDirective/disconnect(_:reason:bannedUntil:)``. Running fetches ask the newcomer `WANT_HAVE` for
    /// their roots, unless it is `dedicated`: a source that serves only the fetches it is added to with
    /// ``addProvider(_:to:now:)`` (an HTTP source, which a fetch's planner adds by its origin policy).
    public mutating func peerConnected(
        _ peer: ExchangePeer,
        dedicated: Bool = false,
        now: ExchangeInstant
    ) -> [ExchangeDirective] {
        if let until = bans[peer], until > now {
            statistics.peersRefused += 1
            return [.disconnect(peer, reason: .banned, bannedUntil: until)]
        }
        guard ledgers[peer] == nil else { return [] }
        guard connected.count < configuration.maxPeers else {
            statistics.peersRefused += 1
            return [.disconnect(peer, reason: .tooManyPeers, bannedUntil: nil)]
        }
        ledgers[peer] = PeerLedger()
        server.addPeer(peer)
        if dedicated {
            dedicatedPeers.insert(peer)
            return []
        }
        connected.append(peer)
        var outbox = Outbox()
        for id in sessionOrder { sessions[id]!.addPeer(peer, isProvider: false, now: now, outbox: &outbox) }
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return directives
    }

    /// The channel to `peer` closed: its wants are dropped and its outstanding requests go to other peers.
    public mutating func peerDisconnected(_ peer: ExchangePeer, now: ExchangeInstant) -> [ExchangeDirective] {
        var outbox = Outbox()
        forget(peer)
        scheduleAll(now: now, outbox: &outbox)
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return directives
    }

    private mutating func forget(_ peer: ExchangePeer) {
        guard ledgers.removeValue(forKey: peer) != nil else { return }
        connected.removeAll { $0 == peer }
        dedicatedPeers.remove(peer)
        server.removePeer(peer)
        for id in sessionOrder { sessions[id]!.removePeer(peer) }
    }

    // MARK: Events

    /// A message from a connected peer (messages from other peers are counted and dropped). A `BLOCK` that a fetch
    /// waits for is hashed here; one that none waits for is dropped unhashed.
    public mutating func handleMessage(
        _ message: ExchangeMessage,
        from peer: ExchangePeer,
        now: ExchangeInstant,
        source: some BlockSource
    ) -> [ExchangeDirective] {
        handle(.message(message), from: peer, now: now, source: source)
    }

    /// A message from a connected peer whose `BLOCK` bytes the shell hashed already (``ReceivedMessage``); otherwise
    /// as ``handleMessage(_:from:now:source:)-(ExchangeMessage,_,_,_)``.
    public mutating func handleMessage(
        _ received: ReceivedMessage,
        from peer: ExchangePeer,
        now: ExchangeInstant,
        source: some BlockSource
    ) -> [ExchangeDirective] {
        handle(received.content, relayed: received.relayed, from: peer, now: now, source: source)
    }

    private mutating func handle(
        _ content: ReceivedMessage.Content,
        relayed: Bool = false,
        from peer: ExchangePeer,
        now: ExchangeInstant,
        source: some BlockSource
    ) -> [ExchangeDirective] {
        guard ledgers[peer] != nil else {
            statistics.messagesFromUnknownPeers += 1
            return []
        }
        statistics.messagesReceived[content.type, default: 0] += 1
        ledgers[peer]!.bytesReceived += UInt64(content.encodedCount)
        var outbox = Outbox()
        var directives: [ExchangeDirective] = []
        switch content {
        case .block(let cid, let checked, let byteCount):
            receiveBlock(
                cid, byteCount: byteCount, verify: { checked }, relayed: relayed, from: peer, now: now,
                outbox: &outbox, directives: &directives)
        case .message(.block(let cid, let bytes)):
            // DESIGN: every block is hashed before it is stored, passed on or yielded.
            receiveBlock(
                cid, byteCount: bytes.count, verify: { Result { () throws(BlockError) in try Block(verifying: bytes, as: cid) } },
                from: peer, now: now, outbox: &outbox, directives: &directives)
        case .message(.wantHave(let wants)):
            _ = server.receiveWants(wants, blocks: false, from: peer, source: source, outbox: &outbox)
        case .message(.wantBlock(let wants)):
            let refused = server.receiveWants(wants, blocks: true, from: peer, source: source, outbox: &outbox)
            statistics.wantsRefused += UInt64(refused)
            ledgers[peer]!.wantsRefused += UInt64(refused)
            server.serve(source: source, now: now, outbox: &outbox)
        case .message(.cancel(let cids)):
            server.cancel(cids, from: peer, source: source)
        case .message(.have(let cids)):
            for id in sessionOrder {
                for cid in cids { sessions[id]!.handleHave(cid, from: peer) }
            }
        case .message(.dontHave(let cids)):
            let isSource = dedicatedPeers.contains(peer)
            for id in sessionOrder {
                for cid in cids { sessions[id]!.handleDontHave(cid, from: peer, isDedicatedSource: isSource) }
            }
        case .message(.padding(let byteCount)):
            // A warm-up: answered with one of the same size (capped) when this side has not warmed the connection.
            ledgers[peer]!.paddingBytesReceived += UInt64(byteCount)
            directives += warmUp(peer, byteCount: min(byteCount, configuration.warmUpEchoBytes), now: now)
        case .message(.holePunch):
            // The traversal layer's: its shell takes these before the core sees them.
            break
        }
        scheduleAll(now: now, outbox: &outbox)
        finish(outbox, now: now, into: &directives)
        return directives
    }

    /// A `BLOCK` of `byteCount` bytes for `cid`; `verify` hashes them (or gives the shell's result) and is called
    /// only when a fetch waits for the block.
    private mutating func receiveBlock(
        _ cid: CID,
        byteCount: Int,
        verify: () -> Result<Block, BlockError>,
        relayed: Bool = false,
        from peer: ExchangePeer,
        now: ExchangeInstant,
        outbox: inout Outbox,
        directives: inout [ExchangeDirective]
    ) {
        let wanting = sessionOrder.filter { sessions[$0]!.wants(cid) }
        guard !wanting.isEmpty else {
            statistics.unwantedBlocks += 1
            ledgers[peer]!.duplicateBlocks += 1
            ledgers[peer]!.duplicateBytes += UInt64(byteCount)
            for id in sessionOrder { sessions[id]!.noteUnwanted(cid, byteCount: byteCount, from: peer) }
            return
        }
        guard case .success(let block) = verify() else {
            statistics.invalidBlocks += 1
            let until = now + configuration.banDuration
            ban(peer, until: until)
            directives.append(.disconnect(peer, reason: .invalidBlock, bannedUntil: until))
            forget(peer)
            return
        }
        ledgers[peer]!.blocksReceived += 1
        ledgers[peer]!.blockBytesReceived += UInt64(byteCount)
        // Stored unless every fetch that wanted it keeps it as a reference into the file it writes.
        let storeAt = directives.count
        var referenced = true
        for id in wanting {
            if !sessions[id]!.receive(
                block, from: peer, relayed: relayed, now: now, outbox: &outbox, directives: &directives)
            {
                referenced = false
            }
        }
        if !referenced { directives.insert(.store(block), at: storeAt) }
    }

    private mutating func ban(_ peer: ExchangePeer, until: ExchangeInstant) {
        if bans[peer] == nil && bans.count >= configuration.maxBans,
            let first = bans.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })
        {
            bans.removeValue(forKey: first.key)
        }
        bans[peer] = until
    }

    /// The shell wrote `byteCount` bytes (one message's ``ExchangeMessage/encodedCount``) to `peer`'s channel:
    /// the server may send it more.
    public mutating func sendCompleted(
        to peer: ExchangePeer,
        byteCount: Int,
        now: ExchangeInstant,
        source: some BlockSource
    ) -> [ExchangeDirective] {
        server.noteCompleted(byteCount, to: peer, now: now)
        var outbox = Outbox()
        server.serve(source: source, now: now, outbox: &outbox)
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return directives
    }

    /// Warms the connection to `peer`: sends it one `PADDING` of `byteCount` zero bytes (clamped to
    /// 0...``ExchangeMessage/maxPaddingByteCount``), once per connection; nothing when this connection was warmed
    /// already (by a call or an echo), for a peer that is not connected, or for 0 bytes. Counted like any message
    /// sent (ledger, the peer's byte cap). The shell calls it for session members.
    public mutating func warmUp(_ peer: ExchangePeer, byteCount: Int, now: ExchangeInstant) -> [ExchangeDirective] {
        guard let ledger = ledgers[peer], ledger.paddingBytesSent == 0, byteCount > 0 else { return [] }
        let message = ExchangeMessage.padding(byteCount: min(byteCount, ExchangeMessage.maxPaddingByteCount))
        server.noteSent(message.encodedCount, to: peer, now: now)
        ledgers[peer]!.bytesSent += UInt64(message.encodedCount)
        ledgers[peer]!.paddingBytesSent += UInt64(message.encodedCount - 2)
        return [.send(message, to: peer)]
    }

    /// Periodic work, when a ``ExchangeDirective/scheduleTick(at:)`` comes due: peers that stall a fetch lose
    /// their requests, endgame, expired bans; on the serving side, peers whose channels stopped draining are
    /// stalled or cut (``DisconnectReason/slowReader``) and the budget they held goes to the others.
    public mutating func tick(now: ExchangeInstant, source: some BlockSource) -> [ExchangeDirective] {
        tickAt = nil
        if !bans.isEmpty { bans = bans.filter { $0.value > now } }
        for id in sessionOrder { sessions[id]!.checkStalls(now: now) }
        var directives: [ExchangeDirective] = []
        var outbox = Outbox()
        if let due = server.progressCheckAt, due <= now {
            for peer in server.checkProgress(now: now) {
                statistics.slowReadersCut += 1
                directives.append(.disconnect(peer, reason: .slowReader, bannedUntil: nil))
                forget(peer)
            }
            server.serve(source: source, now: now, outbox: &outbox)
        }
        scheduleAll(now: now, outbox: &outbox)
        finish(outbox, now: now, into: &directives)
        return directives
    }

    // MARK: Fetches

    /// Starts fetching the UnixFS file (or raw block) `root`, or the bytes of `range` in it. Every connected peer
    /// is asked for the root, the `preferred` ones first (the session rendezvous' members): the first
    /// ``ExchangeConfiguration/optimisticRootPeers`` with `WANT_BLOCK`, the others with `WANT_HAVE`. Add providers
    /// found elsewhere with ``addProvider(_:to:now:)``.
    ///
    /// The fetch delivers its bytes in file order (``ExchangeDirective/deliver(_:offset:bytes:)``), hands every
    /// verified block to the store (``ExchangeDirective/store(_:)``) and ends with
    /// ``ExchangeDirective/completed(_:_:)`` or ``ExchangeDirective/failed(_:_:_:)``.
    ///
    /// With `pacedByReader`, read-ahead counts from the bytes the reader took (``consumed(_:upTo:now:)``) instead of
    /// the bytes delivered: a shell whose reader may be slower than the network sets it, and reports what it took.
    /// With `deliversBytes: false` the fetch only fills the store: no `deliver` directives (and no pacing), and
    /// blocks that arrive ahead of the ones before them are not held, only counted; statistics count the file
    /// bytes as delivered all the same. With `referencesLeaves` (a whole file whose bytes are delivered), each leaf
    /// is handed out as ``ExchangeDirective/referenceLeaf(_:_:)`` instead of being stored, for a shell that writes
    /// the delivered bytes to a file and keeps the leaves as ranges of it; other blocks are stored as usual.
    ///
    /// A `background` fetch (a precache) uses spare capacity only: its wants carry priorities below every foreground
    /// want, so a server holding both sends the foreground blocks first; and while any foreground fetch runs it
    /// cancels what it asked and then asks for one block at a time, at most every
    /// ``ExchangeConfiguration/yieldingRequestInterval`` (which keeps it from giving up), nothing twice. When the
    /// last foreground fetch ends it goes on at full speed.
    public mutating func startFetch(
        _ root: CID,
        range: Range<UInt64>? = nil,
        pacedByReader: Bool = false,
        deliversBytes: Bool = true,
        referencesLeaves: Bool = false,
        preferring preferred: Set<ExchangePeer> = [],
        background: Bool = false,
        now: ExchangeInstant
    ) -> (FetchID, [ExchangeDirective]) {
        let id = FetchID(rawValue: nextFetch)
        nextFetch += 1
        guard sessions.count < configuration.maxFetches else {
            var statistics = FetchStatistics(startedAt: now)
            statistics.finishedAt = now
            return (id, [.failed(id, .tooManyFetches, statistics)])
        }
        var session = FetchSession(
            id: id,
            root: root,
            range: range,
            pacedByReader: pacedByReader,
            deliversBytes: deliversBytes,
            referencesLeaves: referencesLeaves,
            isBackground: background,
            configuration: configuration,
            now: now
        )
        var outbox = Outbox()
        if background, sessions.values.contains(where: { !$0.isBackground }) {
            session.setYielding(true, now: now, outbox: &outbox)
        }
        let ordered = connected.filter { preferred.contains($0) } + connected.filter { !preferred.contains($0) }
        for peer in ordered.prefix(configuration.maxSessionPeers) {
            session.addPeer(peer, isProvider: false, now: now, outbox: &outbox)
        }
        sessions[id] = session
        sessionOrder.append(id)
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return (id, directives)
    }

    /// Adds a connected peer known to provide the fetch's root (from the DHT or a rendezvous): it is sent
    /// `WANT_BLOCK`s at once, without asking `WANT_HAVE` first.
    public mutating func addProvider(_ peer: ExchangePeer, to id: FetchID, now: ExchangeInstant) -> [ExchangeDirective] {
        guard ledgers[peer] != nil, sessions[id] != nil else { return [] }
        var outbox = Outbox()
        sessions[id]!.addPeer(
            peer, isProvider: true, isDedicatedSource: dedicatedPeers.contains(peer), now: now, outbox: &outbox)
        sessions[id]!.schedule(now: now, outbox: &outbox)
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return directives
    }

    /// Where the block `cid`, asked of `peer`, sits in the file of a fetch that asked it: the offset of its first
    /// byte and its length (from its parent's `blocksizes`, exact for a raw leaf). An origin, which serves a file's
    /// bytes by range, answers a leaf with it. `nil` when no running fetch of `peer` knows the block.
    public func leafPlacement(of cid: CID, askedOf peer: ExchangePeer) -> (offset: UInt64, length: Int)? {
        for id in sessionOrder {
            if let placement = sessions[id]?.placement(of: cid, askedOf: peer) { return placement }
        }
        return nil
    }

    /// Takes `peer` out of the fetch `id`: it is asked nothing more for it, and what it was asked goes to the other
    /// sources. It stays connected (and in other fetches).
    public mutating func removeProvider(
        _ peer: ExchangePeer,
        from id: FetchID,
        now: ExchangeInstant
    ) -> [ExchangeDirective] {
        guard sessions[id] != nil else { return [] }
        var outbox = Outbox()
        sessions[id]!.removePeer(peer)
        sessions[id]!.schedule(now: now, outbox: &outbox)
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return directives
    }

    /// The reader of a fetch started with `pacedByReader` took its file bytes before `offset`: more blocks may be
    /// requested.
    public mutating func consumed(_ id: FetchID, upTo offset: UInt64, now: ExchangeInstant) -> [ExchangeDirective] {
        guard sessions[id] != nil else { return [] }
        var outbox = Outbox()
        sessions[id]!.acknowledge(upTo: offset, now: now, outbox: &outbox)
        var directives: [ExchangeDirective] = []
        finish(outbox, now: now, into: &directives)
        return directives
    }

    /// Cancels a fetch: its outstanding wants are cancelled and it ends with ``FetchFailure/cancelled``.
    public mutating func cancelFetch(_ id: FetchID, now: ExchangeInstant) -> [ExchangeDirective] {
        guard var session = sessions.removeValue(forKey: id) else { return [] }
        sessionOrder.removeAll { $0 == id }
        var outbox = Outbox()
        session.cancelAll(outbox: &outbox)
        session.finish(now: now)
        var directives: [ExchangeDirective] = [.failed(id, .cancelled, session.statistics)]
        finish(outbox, now: now, into: &directives)
        return directives
    }

    // MARK: Output

    private mutating func scheduleAll(now: ExchangeInstant, outbox: inout Outbox) {
        for id in sessionOrder { sessions[id]!.schedule(now: now, outbox: &outbox) }
    }

    /// Turns the outbox into send directives (counting bytes in ledgers and the server's caps), ends finished
    /// fetches, and asks for a tick while fetches run.
    private mutating func finish(_ outbox: Outbox, now: ExchangeInstant, into directives: inout [ExchangeDirective]) {
        emit(outbox, now: now, into: &directives)
        var ended: [FetchID] = []
        for id in sessionOrder {
            if let failure = sessions[id]!.failure {
                var cancels = Outbox()
                sessions[id]!.cancelAll(outbox: &cancels)
                sessions[id]!.finish(now: now)
                directives.append(.failed(id, failure, sessions[id]!.statistics))
                for (peer, message) in cancels.listMessages() {
                    server.noteSent(message.encodedCount, to: peer, now: now)
                    ledgers[peer]?.bytesSent += UInt64(message.encodedCount)
                    directives.append(.send(message, to: peer))
                }
                ended.append(id)
            } else if sessions[id]!.isComplete {
                directives.append(.completed(id, sessions[id]!.statistics))
                ended.append(id)
            }
        }
        for id in ended { sessions.removeValue(forKey: id) }
        if !ended.isEmpty { sessionOrder.removeAll { ended.contains($0) } }
        updateYielding(now: now, into: &directives)
        // One tick serves both halves: the next session tick while fetches run, and the server's progress check
        // while bytes wait in channels; a directive is sent only when the wanted instant moves earlier.
        var wanted = server.progressCheckAt
        if !sessions.isEmpty {
            let sessionTick = now + configuration.tickInterval
            wanted = min(wanted ?? sessionTick, sessionTick)
        }
        if let wanted, tickAt.map({ wanted < $0 }) ?? true {
            tickAt = wanted
            directives.append(.scheduleTick(at: wanted))
        }
    }

    /// Background fetches yield while a foreground fetch runs; those that stop yielding are scheduled at once.
    private mutating func updateYielding(now: ExchangeInstant, into directives: inout [ExchangeDirective]) {
        let yielding = sessions.values.contains { !$0.isBackground }
        var outbox = Outbox()
        for id in sessionOrder where sessions[id]!.isBackground && sessions[id]!.isYielding != yielding {
            sessions[id]!.setYielding(yielding, now: now, outbox: &outbox)
            if !yielding { sessions[id]!.schedule(now: now, outbox: &outbox) }
        }
        emit(outbox, now: now, into: &directives)
    }

    /// Turns the outbox into send directives, counting bytes in ledgers and the server's caps.
    private mutating func emit(_ outbox: Outbox, now: ExchangeInstant, into directives: inout [ExchangeDirective]) {
        for (peer, message) in outbox.listMessages() {
            let size = message.encodedCount
            server.noteSent(size, to: peer, now: now)
            ledgers[peer]?.bytesSent += UInt64(size)
            directives.append(.send(message, to: peer))
        }
        for (peer, message) in outbox.blocks {
            let size = message.encodedCount
            if ledgers[peer] != nil {
                ledgers[peer]!.bytesSent += UInt64(size)
                ledgers[peer]!.blocksSent += 1
                ledgers[peer]!.blockBytesSent += UInt64(size - ExchangeMessage.blockHeaderCount(blockCID(message)))
            }
            directives.append(.send(message, to: peer))
        }
    }

    private func blockCID(_ message: ExchangeMessage) -> CID {
        guard case .block(let cid, _) = message else { preconditionFailure("the outbox holds only BLOCKs here") }
        return cid
    }
}
