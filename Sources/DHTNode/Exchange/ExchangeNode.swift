import Blocks
import DHTCrypto
import Exchange
import Kademlia
import Logging
import NIOCore
import Relay
import SecureChannel

/// The shell of the block exchange: runs an ``Exchange/ExchangeInstance`` over authenticated, encrypted TCP
/// connections (``SecureTransport``) and a block store, and carries out its directives (docs/PROTOCOL.md,
/// "Block exchange").
///
/// - Each connection runs in a task of its own: its reader decodes frames into messages (one message per frame)
///   and hands them to the node; its writer encodes the messages the core sends and reports each one written,
///   which is what lets the core's per-peer byte cap move.
/// - The core lives on this actor, never on an event loop. A received block is hashed on its connection's task
///   (``Exchange/ReceivedMessage``), in parallel with the actor; the core accepts it only as a verified block.
///   Blocks are put into the store from here; the store is synchronous (``Exchange/BlockSource``), and the
///   daemon's hands the writes to a thread of its own.
/// - Time is the node's `ContinuousClock` since it was created; the core's ``Exchange/ExchangeDirective/scheduleTick(at:)``
///   becomes one sleeping task, replaced when a new tick is scheduled.
/// - A disconnect directive closes the connection; a ban is remembered by the core, which refuses the peer when it
///   comes back.
///
/// A peer reached through a relay (docs/PROTOCOL.md, "Relays") is one link like any other; with hole punching on,
/// the two ends try to replace it with a direct connection (`HolePunchService`; docs/PROTOCOL.md, "Hole
/// punching"). A direct connection to a peer whose link is relayed takes its place without the core noticing: the
/// core knows peers, not paths. The relayed connection stops writing at once and closes a little later, so that
/// what the peer sent on it still arrives.
///
/// Call ``close()`` when done: it closes listeners and connections, fails running fetches with
/// ``Exchange/FetchFailure/cancelled`` and waits for the connection tasks.
public actor ExchangeNode<Store: BlockStore & BlockSource> {
    /// This node's peer name: SHA-256 of its public key.
    public nonisolated let peer: ExchangePeer
    /// The transport connections are made and accepted with.
    public nonisolated let transport: SecureTransport
    /// The store blocks are served from and fetched blocks are put into.
    public nonisolated let store: Store

    private var instance: ExchangeInstance
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var links: [ExchangePeer: ExchangePeerLink] = [:] {
        didSet { metrics.connectionCount(links.count) }
    }
    private let metrics = ExchangeMetrics()
    private var nextGeneration: UInt64 = 1
    private var fetches: [FetchID: (continuation: AsyncThrowingStream<ArraySlice<UInt8>, any Error>.Continuation,
        outcome: ExchangeFetch.Outcome)] = [:]
    private var listeners: [SecureListener] = []
    /// Who hears of closed connections (``disconnections()``).
    private var disconnectionListeners: [UInt64: AsyncStream<ExchangePeer>.Continuation] = [:]
    /// Tasks waiting in ``finished(_:)``, by fetch.
    private var finishWaiters: [FetchID: [CheckedContinuation<Void, Never>]] = [:]
    /// Listener tasks, and the tasks of outgoing connections (by link generation, dropped when they end).
    private var tasks: [UInt64: Task<Void, Never>] = [:]
    private var tick: (generation: UInt64, task: Task<Void, Never>)?
    private var isClosed = false
    private nonisolated let uploadLimiter: UploadLimiter?
    private nonisolated let faultInjector: FaultInjector?
    private let logger: Logger
    /// Connections being opened to a peer whose ID is known, so that a second attempt (the same provider through
    /// its other relay) waits for the first instead of racing it: two connections that complete together could
    /// each be kept by one end and dropped by the other, leaving none.
    private var dialing: [ExchangePeer: (turn: UInt64, waiters: [CheckedContinuation<Void, Never>])] = [:]
    /// The events of hole punching over relayed links (``HolePunchService/run(_:)`` takes them); `nil` when off.
    private var holePunchEvents: AsyncStream<HolePunchService.Event>.Continuation?
    /// Relayed links a direct connection replaced, by generation, each with the task that ends it after
    /// ``relayedRetirementDelay`` (``close()`` ends them at once).
    private var retired: [UInt64: (link: ExchangePeerLink, timer: Task<Void, Never>)] = [:]
    /// How long a relayed connection that a direct one replaced stays open to deliver what was under way on it.
    static var relayedRetirementDelay: Duration { .seconds(2) }

    /// A node with `identity`, serving from and storing into `store`.
    ///
    /// - Parameters:
    ///   - uploadBytesPerSecond: caps the block bytes sent per second over all connections (``UploadLimiter``);
    ///     `nil` for no cap.
    ///   - faults: misbehaviour for tests (``ExchangeNodeFaults``); none by default.
    ///   - logger: where disconnects and bans are logged.
    ///   - seed: seeds the core's tie-breaks (random by default).
    public init(
        identity: NodeIdentity,
        store: Store,
        transportConfiguration: SecureTransportConfiguration = SecureTransportConfiguration(),
        configuration: ExchangeConfiguration = ExchangeConfiguration(),
        uploadBytesPerSecond: Int? = nil,
        faults: ExchangeNodeFaults = ExchangeNodeFaults(),
        logger: Logger = Logger(label: "dht.exchange"),
        seed: UInt64 = .random(in: .min ... .max)
    ) {
        self.logger = logger
        self.peer = Self.peer(for: identity.publicKey)
        var transportConfiguration = transportConfiguration
        // A BLOCK's bytes are decrypted straight into the array that becomes the block.
        transportConfiguration.payloadSplit = ExchangeMessage.blockBytesOffset(in:)
        self.transport = SecureTransport(identity: identity, configuration: transportConfiguration)
        self.store = store
        self.instance = ExchangeInstance(configuration: configuration, seed: seed)
        self.origin = ContinuousClock.now
        self.uploadLimiter = uploadBytesPerSecond.map {
            UploadLimiter(bytesPerSecond: $0, maxBlockBytes: Block.maxByteCount, now: .now)
        }
        self.faultInjector = faults.isEmpty ? nil : FaultInjector(faults)
    }

    /// The exchange name of the node with this public key: SHA-256 of its bytes, its node ID.
    public static func peer(for publicKey: Ed25519PublicKey) -> ExchangePeer {
        ExchangePeer(id: SHA256.hash(publicKey.bytes))
    }

    /// Connected peers.
    public var connectedPeers: [ExchangePeer] { links.keys.sorted() }

    /// Whether a connection to `peer` is open.
    public func isConnected(_ peer: ExchangePeer) -> Bool { links[peer] != nil }

    /// The statistics so far of a running fetch; `nil` once it ended (its ``ExchangeFetch/statistics`` has them).
    public func progress(of fetch: FetchID) -> FetchStatistics? { instance.fetchStatistics(fetch) }

    /// The core's counters (messages, invalid blocks, refusals).
    public var statistics: ExchangeInstance.Statistics { instance.statistics }

    private var now: ExchangeInstant {
        let elapsed = origin.duration(to: clock.now).components
        return ExchangeInstant(nanoseconds: elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
    }

    // MARK: Connections

    /// Accepts connections on `host:port` (port 0 picks a free port) until ``close()``; returns the bound address.
    ///
    /// With `relay`, connections that start with a relay message go to that relay service.
    public func listen(host: String, port: Int, relay: RelayService? = nil) async throws -> SocketAddress {
        guard !isClosed else { throw ExchangeNodeError.closed }
        let listener = try await transport.listen(host: host, port: port, relay: relay)
        guard !isClosed else {
            await listener.close()
            throw ExchangeNodeError.closed
        }
        listeners.append(listener)
        let generation = nextGeneration
        nextGeneration += 1
        tasks[generation] = Task {
            try? await listener.run { connection in
                guard let registered = try? await self.register(connection) else {
                    await Self.discard(connection)
                    return
                }
                await self.run(connection, link: registered.link, outgoing: registered.outgoing)
            }
        }
        return listener.localAddress
    }

    /// Connects to the node at `address` (that proves `key`, when given) and returns its peer name once the core
    /// knows it: fetches started afterwards ask it.
    ///
    /// - Throws: ``SecureTransportError`` or the socket error when the connection or handshake fails;
    ///   ``ExchangeNodeError`` when the core refuses the peer, a connection to it is open already, or the node
    ///   is closed.
    public func connect(to address: SocketAddress, expecting key: Ed25519PublicKey? = nil) async throws
        -> ExchangePeer
    {
        guard !isClosed else { throw ExchangeNodeError.closed }
        let connection = try await transport.connect(to: address, expecting: key)
        let registered: (link: ExchangePeerLink, outgoing: AsyncStream<ExchangeMessage>)
        do {
            registered = try register(connection)
        } catch {
            await Self.discard(connection)
            throw error
        }
        tasks[registered.link.generation] = Task {
            await self.run(connection, link: registered.link, outgoing: registered.outgoing)
        }
        return Self.peer(for: connection.peer.publicKey)
    }

    /// Connects to the node at `address` and checks that it is `expected` (the node ID a DHT contact or provider
    /// record named) before the core hears of it; a connection that is open already is reused.
    ///
    /// - Throws: ``ExchangeNodeError/unexpectedPeer(expected:found:)`` when another node answers at the address;
    ///   otherwise as ``connect(to:expecting:)``.
    @discardableResult
    public func connect(to address: SocketAddress, expectingPeer expected: ExchangePeer) async throws -> ExchangePeer {
        guard !isClosed else { throw ExchangeNodeError.closed }
        if links[expected] != nil { return expected }
        guard let turn = await takeTurn(dialing: expected) else {
            if isClosed { throw ExchangeNodeError.closed }
            return expected
        }
        defer { endTurn(dialing: expected, turn) }
        let connection = try await transport.connect(to: address)
        let found = Self.peer(for: connection.peer.publicKey)
        guard found == expected else {
            await Self.discard(connection)
            throw ExchangeNodeError.unexpectedPeer(expected: expected, found: found)
        }
        let registered: (link: ExchangePeerLink, outgoing: AsyncStream<ExchangeMessage>)
        do {
            registered = try register(connection)
        } catch ExchangeNodeError.alreadyConnected {
            // Connected meanwhile, by the other side or a concurrent call.
            await Self.discard(connection)
            return expected
        } catch {
            await Self.discard(connection)
            throw error
        }
        tasks[registered.link.generation] = Task {
            await self.run(connection, link: registered.link, outgoing: registered.outgoing)
        }
        return expected
    }

    /// Connects to the node `expected` through the relay at `relay` (a relayed provider record or contact names
    /// both); the secure channel runs end to end over the relay's circuit. A connection that is open already is
    /// reused.
    ///
    /// - Throws: ``RelayDialError`` when the relay refuses; otherwise as ``connect(to:expectingPeer:)``.
    @discardableResult
    public func connect(through relay: SocketAddress, expectingPeer expected: ExchangePeer) async throws -> ExchangePeer {
        guard !isClosed else { throw ExchangeNodeError.closed }
        if links[expected] != nil { return expected }
        guard let turn = await takeTurn(dialing: expected) else {
            if isClosed { throw ExchangeNodeError.closed }
            return expected
        }
        defer { endTurn(dialing: expected, turn) }
        let target = try NodeID(bytes: expected.id.bytes)
        let connection = try await transport.connect(through: relay, to: target)
        return try adopt(connection, expecting: expected, relayedAs: .opener)
    }

    /// Takes the relayed connection `token` names at the relay at `relay` (this node holds a reservation there),
    /// as if it had been accepted by a listener.
    public func acceptRelayed(at relay: SocketAddress, token: [UInt8]) async throws {
        guard !isClosed else { throw ExchangeNodeError.closed }
        let connection = try await transport.accept(relayedAt: relay, token: token)
        _ = try adopt(connection, expecting: nil, relayedAs: .acceptor)
    }

    /// Waits while another connection to `peer` is being opened; returns `nil` when that one connected it, else
    /// the turn to pass to ``endTurn(dialing:_:)`` when this caller is done.
    private func takeTurn(dialing peer: ExchangePeer) async -> UInt64? {
        while dialing[peer] != nil {
            await withCheckedContinuation { dialing[peer]?.waiters.append($0) ?? $0.resume() }
            if links[peer] != nil || isClosed { return nil }
        }
        let turn = nextGeneration
        nextGeneration += 1
        dialing[peer] = (turn, [])
        return turn
    }

    /// Ends a turn taken with ``takeTurn(dialing:)``: the callers waiting look again.
    private func endTurn(dialing peer: ExchangePeer, _ turn: UInt64) {
        guard let entry = dialing[peer], entry.turn == turn else { return }
        dialing[peer] = nil
        for waiter in entry.waiters { waiter.resume() }
    }

    /// Takes a direct connection to `expected` that a hole punch opened: it replaces the relayed link, if that is
    /// still open. Returns whether the peer is now reached directly.
    func adoptPunched(_ connection: SecureConnection, expecting expected: ExchangePeer) -> Bool {
        do {
            _ = try adopt(connection, expecting: expected, relayedAs: nil)
            return true
        } catch {
            return false
        }
    }

    /// Sends `bytes` of the hole-punch coordination to `peer` over its relayed link (none once it is direct).
    func sendHolePunch(_ bytes: [UInt8], to peer: ExchangePeer) {
        guard let link = links[peer], link.relayed else { return }
        link.outgoing.yield(.holePunch(bytes))
    }

    /// Turns hole punching on for relayed links from now on: `service` takes their events until the node closes.
    func setHolePunching(_ service: HolePunchService) {
        guard !isClosed, holePunchEvents == nil else { return }
        let (events, continuation) = AsyncStream<HolePunchService.Event>.makeStream()
        holePunchEvents = continuation
        let generation = nextGeneration
        nextGeneration += 1
        tasks[generation] = Task { await service.run(events) }
    }

    /// Registers and runs a connection made elsewhere; checks its peer when `expected` is given. A relayed one
    /// (`relayedAs` says which end this node is) starts a hole punch when that is on.
    private func adopt(
        _ connection: SecureConnection, expecting expected: ExchangePeer?, relayedAs side: HolePunch.Side?
    ) throws -> ExchangePeer {
        let found = Self.peer(for: connection.peer.publicKey)
        if let expected, found != expected {
            Task { await Self.discard(connection) }
            throw ExchangeNodeError.unexpectedPeer(expected: expected, found: found)
        }
        let registered: (link: ExchangePeerLink, outgoing: AsyncStream<ExchangeMessage>)
        do {
            registered = try register(connection, relayed: side != nil)
        } catch ExchangeNodeError.alreadyConnected where expected != nil {
            Task { await Self.discard(connection) }
            return found
        } catch {
            Task { await Self.discard(connection) }
            throw error
        }
        tasks[registered.link.generation] = Task {
            await self.run(connection, link: registered.link, outgoing: registered.outgoing)
        }
        if let side { holePunchEvents?.yield(.opened(found, key: connection.peer.publicKey, side: side)) }
        return found
    }

    /// Tells the core about a new connection; returns its link and the stream its writer drains. A direct
    /// connection to a peer whose link is relayed replaces that link; the core, which knows the peer already, hears
    /// nothing.
    private func register(
        _ connection: SecureConnection,
        relayed: Bool = false
    ) throws(ExchangeNodeError) -> (link: ExchangePeerLink, outgoing: AsyncStream<ExchangeMessage>) {
        guard !isClosed else { throw .closed }
        let peer = Self.peer(for: connection.peer.publicKey)
        let replaced = links[peer]
        if let replaced, !(replaced.relayed && !relayed) { throw .alreadyConnected(peer) }
        let (outgoing, continuation) = AsyncStream<ExchangeMessage>.makeStream()
        let channel = connection.channel.channel
        var link = ExchangePeerLink(
            generation: nextGeneration,
            outgoing: continuation,
            end: { channel.close(promise: nil) }
        )
        link.relayed = relayed
        nextGeneration += 1
        links[peer] = link
        if let replaced {
            retire(replaced)
            metrics.movedToDirect()
            logger.info("relayed peer now connected directly", metadata: ["peer": "\(peer)"])
            holePunchEvents?.yield(.connectedDirectly(peer))
            return (link, outgoing)
        }
        let directives = instance.peerConnected(peer, now: now)
        for case .disconnect(let refused, reason: let reason, bannedUntil: _) in directives where refused == peer {
            links.removeValue(forKey: peer)
            throw .peerRefused(peer, reason)
        }
        carryOut(directives)
        return (link, outgoing)
    }

    /// Runs a registered connection: the reader here, the writer in a child task; reports the end to the core.
    /// The frame for `message`. A `BLOCK` is written as its header (``ExchangeMessage/appendBlockHeader(_:to:)``)
    /// followed by the block's bytes, so those are copied once, into the frame, and not first into an encoded array.
    nonisolated static func frame(for message: ExchangeMessage) throws(ExchangeMessageEncodingError)
        -> SecureFramePlaintext
    {
        guard case .block(let cid, let bytes) = message else { return SecureFramePlaintext(head: try message.encoded()) }
        guard bytes.count <= Block.maxByteCount else { throw .blockTooLarge(bytes.count) }
        var header: [UInt8] = []
        ExchangeMessage.appendBlockHeader(cid, to: &header)
        return SecureFramePlaintext(head: header, payload: bytes)
    }

    private nonisolated func run(
        _ connection: SecureConnection,
        link: ExchangePeerLink,
        outgoing: AsyncStream<ExchangeMessage>
    ) async {
        let peer = Self.peer(for: connection.peer.publicKey)
        let relayed = link.relayed
        try? await connection.channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in outgoing {
                        var frame = try Self.frame(for: message)
                        if case .block(_, let bytes) = message {
                            if let limiter = self.uploadLimiter {
                                let wait = limiter.delay(for: bytes.count, now: .now)
                                if wait > .zero { try await Task.sleep(for: wait) }
                            }
                            if let injector = self.faultInjector, !bytes.isEmpty, injector.corruptsNextBlock() {
                                frame.payload[frame.payload.count - 1] ^= 0xff
                            }
                        }
                        try await outbound.write(frame)
                        await self.sendCompleted(message.encodedCount, to: peer)
                    }
                }
                // A frame that is not a valid message breaks the protocol: the throw closes the connection. A
                // block's bytes are hashed here, on this connection's task, in parallel with the actor.
                for try await frame in inbound {
                    let message = try ExchangeMessage(decoding: frame.head, blockBytes: frame.payload)
                    if case .holePunch(let bytes) = message {
                        // The traversal layer's, and only over a relay: a direct connection has nothing to punch.
                        if relayed { await self.holePunchReceived(bytes, from: peer) }
                        continue
                    }
                    var received = ReceivedMessage(hashing: message)
                    received.relayed = relayed
                    await self.received(received, from: peer)
                }
                group.cancelAll()
            }
        }
        await disconnected(peer, generation: link.generation)
    }

    /// Closes a connection the node does not keep (it must still be run once, as SwiftNIO requires).
    private static func discard(_ connection: SecureConnection) async {
        connection.channel.channel.close(promise: nil)
        try? await connection.channel.executeThenClose { _, _ in }
    }

    private func holePunchReceived(_ bytes: [UInt8], from peer: ExchangePeer) {
        holePunchEvents?.yield(.received(peer, bytes))
    }

    private func received(_ message: ReceivedMessage, from peer: ExchangePeer) {
        if let byteCount = message.blockByteCount { metrics.received(blockBytes: byteCount, relayed: message.relayed) }
        carryOut(instance.handleMessage(message, from: peer, now: now, source: store))
    }

    private func sendCompleted(_ byteCount: Int, to peer: ExchangePeer) {
        carryOut(instance.sendCompleted(to: peer, byteCount: byteCount, now: now, source: store))
    }

    private func disconnected(_ peer: ExchangePeer, generation: UInt64) {
        tasks.removeValue(forKey: generation)
        retired.removeValue(forKey: generation)?.timer.cancel()
        guard let link = links[peer], link.generation == generation else { return }
        links.removeValue(forKey: peer)
        link.close()
        announceDisconnection(of: peer)
        carryOut(instance.peerDisconnected(peer, now: now))
    }

    /// Sends `peer` `byteCount` bytes of `PADDING` at once (``Exchange/ExchangeMessage/padding(byteCount:)``), so
    /// that the connection's congestion control measures the path on a real burst: with BBR (the kernel's pacing
    /// congestion control) a connection that has only carried small messages paces out even a 22 KB answer from its
    /// initial window, about half a round trip more than one that once sent a few hundred KiB (docs/BENCHMARKS.md,
    /// "Small-file latency"). The peer answers with a `PADDING` of its own, which warms the other direction. Once
    /// per connection (``Exchange/ExchangeInstance/warmUp(_:byteCount:now:)``); the node does it for session members.
    public func warmUp(_ peer: ExchangePeer, byteCount: Int) {
        carryOut(instance.warmUp(peer, byteCount: byteCount, now: now))
    }

    // MARK: Fetches

    /// Starts fetching the UnixFS file (or raw block) `root`, or the bytes of `range` in it, from the connected
    /// peers, the `preferred` ones asked first (``Exchange/ExchangeInstance/startFetch(_:range:pacedByReader:preferring:now:)``).
    /// See ``ExchangeFetch`` for what it yields. With `deliversBytes: false` the fetch only puts the blocks into
    /// the store: its ``ExchangeFetch/bytes`` yield nothing and end when the fetch does (for `dhtnode get`'s fetch
    /// into the repository, whose bytes nobody reads). A `background` fetch (a precache) yields to the others
    /// (``Exchange/ExchangeInstance/startFetch(_:range:pacedByReader:deliversBytes:preferring:background:now:)``).
    ///
    /// - Throws: ``ExchangeNodeError/closed`` after ``close()``.
    public func fetch(
        _ root: CID,
        range: Range<UInt64>? = nil,
        preferring preferred: Set<ExchangePeer> = [],
        deliversBytes: Bool = true,
        referencesLeaves: Bool = false,
        background: Bool = false
    ) throws(ExchangeNodeError) -> ExchangeFetch {
        guard !isClosed else { throw .closed }
        let (stream, continuation) = AsyncThrowingStream<ArraySlice<UInt8>, any Error>.makeStream()
        let (id, directives) = instance.startFetch(
            root, range: range, pacedByReader: deliversBytes, deliversBytes: deliversBytes,
            referencesLeaves: referencesLeaves, preferring: preferred, background: background, now: now)
        let start = range?.lowerBound ?? 0
        let bytes = FetchByteStream(base: stream) { taken in
            Task { await self.consumed(id, upTo: start + taken) }
        }
        let fetch = ExchangeFetch(id: id, bytes: bytes, outcome: ExchangeFetch.Outcome())
        metrics.fetchStarted()
        fetches[id] = (continuation, fetch.outcome)
        continuation.onTermination = { termination in
            guard case .cancelled = termination else { return }
            Task { await self.cancel(id) }
        }
        carryOut(directives)
        return fetch
    }

    /// The reader of `fetch` took its file bytes before `offset` (reported by ``FetchByteStream``).
    func consumed(_ fetch: FetchID, upTo offset: UInt64) {
        carryOut(instance.consumed(fetch, upTo: offset, now: now))
    }

    /// Adds a connected peer known to provide a fetch's root: it is sent `WANT_BLOCK`s at once.
    public func addProvider(_ provider: ExchangePeer, to fetch: FetchID) {
        carryOut(instance.addProvider(provider, to: fetch, now: now))
    }

    /// Takes a peer or HTTP source out of a fetch: what it was asked goes to the fetch's other sources.
    public func removeProvider(_ provider: ExchangePeer, from fetch: FetchID) {
        carryOut(instance.removeProvider(provider, from: fetch, now: now))
    }

    /// Attaches the trustless gateway at `url` as a source of blocks (``HTTPSource``), once per URL, and
    /// returns its name. It serves only the fetches it is added to (``addProvider(_:to:)``); a block it sends that
    /// does not hash to its CID bans it, as a peer would be.
    ///
    /// - Throws: ``ExchangeNodeError/closed`` after ``close()``.
    public func attachHTTPSource(_ source: HTTPSource) throws(ExchangeNodeError) -> ExchangePeer {
        guard !isClosed else { throw .closed }
        let peer = source.peer
        if links[peer] != nil { return peer }
        let (outgoing, continuation) = AsyncStream<ExchangeMessage>.makeStream()
        let generation = nextGeneration
        nextGeneration += 1
        let task = Task {
            await source.serve(
                outgoing,
                received: { message in await self.received(message, from: peer) },
                written: { byteCount in await self.sendCompleted(byteCount, to: peer) },
                placement: { cid in await self.leafPlacement(of: cid, askedOf: peer) }
            )
            await self.disconnected(peer, generation: generation)
        }
        // Kept with the connections' tasks, so that ``close()`` waits for the source's requests to end too.
        tasks[generation] = task
        links[peer] = ExchangePeerLink(generation: generation, outgoing: continuation, end: { task.cancel() })
        carryOut(instance.peerConnected(peer, dedicated: true, now: now))
        return peer
    }

    /// The peers whose connection closes from now on, each as it closes (for a shell that keeps track of members
    /// without looking at the connections on a period). Ends when the node closes.
    public func disconnections() -> AsyncStream<ExchangePeer> {
        let (stream, continuation) = AsyncStream<ExchangePeer>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        if isClosed {
            continuation.finish()
        } else {
            // Each fetch listens while it runs: a listener that stopped leaves the list.
            let id = nextGeneration
            nextGeneration += 1
            disconnectionListeners[id] = continuation
            continuation.onTermination = { _ in Task { await self.removeDisconnectionListener(id) } }
        }
        return stream
    }

    /// Stops the writer of a relayed link a direct connection replaced once it has written what is queued, and
    /// ends the connection ``relayedRetirementDelay`` later: what the peer sent before it moved still arrives.
    private func retire(_ link: ExchangePeerLink) {
        link.outgoing.finish()
        let generation = link.generation
        let delay = Self.relayedRetirementDelay
        let timer = Task {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            self.endRetired(generation)
        }
        retired[generation] = (link, timer)
    }

    private func endRetired(_ generation: UInt64) {
        retired.removeValue(forKey: generation)?.link.end()
    }

    private func removeDisconnectionListener(_ id: UInt64) {
        disconnectionListeners[id] = nil
    }

    private func announceDisconnection(of peer: ExchangePeer) {
        for listener in disconnectionListeners.values { listener.yield(peer) }
        holePunchEvents?.yield(.closed(peer))
    }

    /// Hands `block`, read by `peer` (an HTTP source) outside a request, to the fetches that wait for it: it is
    /// hashed and taken as if `peer` had sent it.
    public func receivedFromSource(_ block: Block, from peer: ExchangePeer) {
        received(ReceivedMessage(hashing: .block(block.cid, bytes: block.bytes)), from: peer)
    }

    /// Where a block asked of `peer` sits in its fetch's file (``Exchange/ExchangeInstance/leafPlacement(of:askedOf:)``).
    func leafPlacement(of cid: CID, askedOf peer: ExchangePeer) -> (offset: UInt64, length: Int)? {
        instance.leafPlacement(of: cid, askedOf: peer)
    }

    /// Returns once the fetch ended (at once for a fetch that is not running).
    public func finished(_ fetch: FetchID) async {
        guard fetches[fetch] != nil else { return }
        await withCheckedContinuation { continuation in
            finishWaiters[fetch, default: []].append(continuation)
        }
    }

    /// Cancels a fetch; its stream ends with ``Exchange/FetchFailure/cancelled``.
    public func cancel(_ fetch: FetchID) {
        carryOut(instance.cancelFetch(fetch, now: now))
    }

    /// Ends a fetch with `error` instead of ``Exchange/FetchFailure/cancelled``: for a shell that gives up (say,
    /// nobody provides the root). Its wants are cancelled as for ``cancel(_:)``.
    public func abandon(_ fetch: FetchID, throwing error: any Error) {
        guard let sink = fetches.removeValue(forKey: fetch) else { return }
        for waiter in finishWaiters.removeValue(forKey: fetch) ?? [] { waiter.resume() }
        let statistics = instance.fetchStatistics(fetch)
        carryOut(instance.cancelFetch(fetch, now: now))
        var final = statistics ?? FetchStatistics(startedAt: now)
        final.finishedAt = now
        metrics.fetchEnded(final, .failed)
        sink.outcome.statistics.withLock { $0 = final }
        sink.continuation.finish(throwing: error)
    }

    // MARK: Directives

    private func carryOut(_ directives: [ExchangeDirective]) {
        for directive in directives {
            switch directive {
            case .send(let message, let peer):
                // No link: the connection just ended and the core hears of it next.
                links[peer]?.outgoing.yield(message)
                metrics.sent(message)
            case .store(let block):
                // A store that fails loses only the copy: the bytes were verified and are delivered anyway.
                try? store.put(block)
            case .referenceLeaf(let id, let reference):
                fetches[id]?.outcome.references.withLock { $0.append(reference) }
            case .deliver(let id, _, let bytes):
                fetches[id]?.continuation.yield(bytes)
            case .completed(let id, let statistics):
                finish(id, statistics: statistics, failure: nil)
            case .failed(let id, let failure, let statistics):
                finish(id, statistics: statistics, failure: failure)
            case .disconnect(let peer, let reason, let bannedUntil):
                if let bannedUntil {
                    logger.warning(
                        "peer banned",
                        metadata: [
                            "peer": "\(peer)", "reason": "\(reason.rawValue)",
                            "seconds": "\((bannedUntil - now).components.seconds)",
                        ]
                    )
                } else if reason == .slowReader {
                    logger.info("slow peer cut", metadata: ["peer": "\(peer)", "reason": "\(reason.rawValue)"])
                } else {
                    logger.debug("peer disconnected", metadata: ["peer": "\(peer)", "reason": "\(reason.rawValue)"])
                }
                metrics.disconnected(reason)
                if let link = links.removeValue(forKey: peer) {
                    link.close()
                    announceDisconnection(of: peer)
                }
            case .scheduleTick(let instant):
                scheduleTick(at: instant)
            }
        }
    }

    private func finish(_ id: FetchID, statistics: FetchStatistics, failure: FetchFailure?) {
        guard let sink = fetches.removeValue(forKey: id) else { return }
        for waiter in finishWaiters.removeValue(forKey: id) ?? [] { waiter.resume() }
        metrics.fetchEnded(statistics, .init(failure))
        sink.outcome.statistics.withLock { $0 = statistics }
        if let failure {
            sink.continuation.finish(throwing: failure)
        } else {
            sink.continuation.finish()
        }
    }

    private func scheduleTick(at instant: ExchangeInstant) {
        tick?.task.cancel()
        guard !isClosed else { return }
        let generation = nextGeneration
        nextGeneration += 1
        let deadline = origin.advanced(by: .nanoseconds(instant.nanoseconds))
        let clock = clock
        let task = Task {
            guard (try? await clock.sleep(until: deadline)) != nil else { return }
            self.tickFired(generation)
        }
        tick = (generation, task)
    }

    private func tickFired(_ generation: UInt64) {
        guard let tick, tick.generation == generation else { return }
        self.tick = nil
        carryOut(instance.tick(now: now, source: store))
    }

    // MARK: Shutdown

    /// Closes listeners and connections, ends running fetches with ``Exchange/FetchFailure/cancelled``, and
    /// returns once every connection task has ended.
    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        let waiting = dialing.values.flatMap(\.waiters)
        dialing = [:]
        for waiter in waiting { waiter.resume() }
        holePunchEvents?.finish()
        holePunchEvents = nil
        for (link, timer) in retired.values {
            timer.cancel()
            link.close()
        }
        retired = [:]
        tick?.task.cancel()
        tick = nil
        for id in fetches.keys.sorted() { carryOut(instance.cancelFetch(id, now: now)) }
        for waiter in finishWaiters.values.joined() { waiter.resume() }
        finishWaiters = [:]
        let listening = disconnectionListeners.values
        disconnectionListeners = [:]
        for listener in listening { listener.finish() }
        for listener in listeners { await listener.close() }
        for link in links.values { link.close() }
        let running = tasks.values
        tasks = [:]
        for task in running { await task.value }
    }
}
