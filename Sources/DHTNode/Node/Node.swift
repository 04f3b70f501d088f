import DHTCrypto
import Kademlia
import Logging
import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
import Relay
import Rendezvous

/// A DHT node on UDP: the public API an app embeds.
///
/// A `Node` owns one UDP socket per listen address, all served by one SwiftNIO event loop that runs the node's
/// sans-I/O core (``DatagramEndpoint`` around a `KademliaInstance`). Every method is safe to call from any task;
/// each hops onto that loop, starts an operation in the core, and resumes when the core reports its end.
///
/// ```swift
/// let node = Node(configuration: NodeConfiguration(identity: .generate(), bootstrapAddresses: [seed]))
/// try await node.start()
/// try await node.put(Array("hello".utf8), under: NodeID(naming: "greeting"))
/// let values = try await node.get(NodeID(naming: "greeting"))
/// await node.stop()
/// ```
public final class Node: Sendable {
    /// The configuration the node was created with.
    public let configuration: NodeConfiguration
    /// The node's ID: SHA-256 of its public key.
    public let id: NodeID
    /// The node's public key, sent in every datagram.
    public var publicKey: Ed25519PublicKey { configuration.identity.publicKey }

    /// The block exchange, when the node was configured with ``NodeConfiguration/content``.
    public let exchange: ExchangeNode<AnyContentStore>?

    let runtime: NodeRuntime
    /// The node's logger (the shells around it log through it too).
    public let logger: Logger
    private let state = NIOLockedValueBox(LifecycleState())

    private let rendezvous: RendezvousRunner?
    /// The relay service offered to others (with an exchange).
    public let relayService: RelayService?
    /// The reservations held on relays while the node is private.
    let reservations: RelayReservationRunner?
    /// Hole punching over the exchange's relayed connections.
    let holePunching: HolePunchService?
    /// This machine's networks, to rank a fetch's providers in them first.
    let networkLocality: NetworkLocality
    /// The names this node publishes and the records it resolved (``publish(_:key:lifetime:ttl:)``,
    /// ``resolve(_:)``).
    let names = NIOLockedValueBox(NameState())

    private struct LifecycleState {
        var rendezvousTask: Task<Void, Never>?
        var started = false
        var channels: [any Channel] = []
        var addresses: [NodeAddress] = []
    }

    /// Socket read batch: datagrams per `recvmmsg`.
    static let vectorReadCount = 32
    /// Bytes per datagram slot in a read batch: more than the 1,280-byte limit, so oversized datagrams are seen
    /// (and counted) rather than cut.
    static let readSlotByteCount = 2048

    /// Creates a node; nothing is bound until ``start()``.
    public init(
        configuration: NodeConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "dht.node"),
        secrets: EndpointSecrets = .random()
    ) {
        var configuration = configuration
        configuration.kademlia.admission = .afterPong
        configuration.kademlia.reachability.isEnabled = configuration.checksReachability
        // The exchange listens on TCP at the UDP port: a node is reachable only if both are.
        configuration.kademlia.reachability.probesTCP = configuration.content != nil
        self.configuration = configuration
        self.id = NodeID(publicKeyBytes: configuration.identity.publicKey.bytes)
        self.logger = logger
        let endpoint = DatagramEndpoint(
            identity: configuration.identity,
            configuration: configuration.kademlia,
            recordValidator: IPNSRecordValidator(),
            limits: configuration.limits,
            padsLookupRequests: configuration.padsLookupRequests,
            sealer: configuration.swarmKey.map(DatagramSealer.init(swarmKey:)),
            secrets: secrets,
            now: NodeRuntime.now()
        )
        let runtime = NodeRuntime(endpoint: endpoint, eventLoop: eventLoopGroup.next(), logger: logger)
        self.runtime = runtime
        self.rendezvous =
            configuration.content == nil ? nil : configuration.rendezvous.map(RendezvousRunner.init(configuration:))
        self.networkLocality =
            configuration.content == nil ? NetworkLocality(networks: []) : NetworkLocality(addresses: configuration.listenAddresses)
        let exchange = configuration.content.map { content in
            var transport = content.transport
            // The swarm key guards the exchange too: a handshake without it fails before anything is sent.
            if let swarmKey = configuration.swarmKey { transport.swarmKey = swarmKey }
            return ExchangeNode(
                identity: configuration.identity,
                store: AnyContentStore(content.store),
                transportConfiguration: transport,
                configuration: content.exchange,
                uploadBytesPerSecond: content.uploadBytesPerSecond,
                faults: content.faults,
                logger: logger
            )
        }
        self.exchange = exchange
        self.relayService = exchange.map { _ in
            RelayService(
                configuration: configuration.relay, eventLoop: runtime.eventLoop, logger: logger,
                probeArrived: { nonce, address in
                    logger.trace("dial-back TCP probe arrived", metadata: ["from": "\(address)"])
                    runtime.eventLoop.execute { runtime.tcpProbeArrived(nonce: nonce, from: address) }
                })
        }
        if exchange != nil {
            // The TCP half of the dial-back probes this node sends for others: a connection to the exchange port at
            // the target's observed address, carrying the nonce, closed once written.
            runtime.tcpProbe = { nonce, address in
                let bytes = RelayMessage.probe(nonce: nonce).encoded()
                ClientBootstrap(group: eventLoopGroup)
                    .connectTimeout(.seconds(3))
                    .connect(to: address.socketAddress)
                    .whenComplete { result in
                        guard case .success(let channel) = result else {
                            logger.trace("dial-back TCP probe not sent", metadata: ["to": "\(address)", "error": "\(result)"])
                            return
                        }
                        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).whenComplete { _ in
                            channel.close(promise: nil)
                        }
                    }
            }
        }
        if let exchange, let punchConfiguration = configuration.holePunching {
            let state = self.state
            self.holePunching = HolePunchService(
                configuration: punchConfiguration,
                environment: HolePunchService.Environment(
                    transport: exchange.transport,
                    localAddresses: { state.withLockedValue { $0.addresses.map(\.socketAddress) } },
                    ownAddresses: {
                        let report = try? await runtime.eventLoop.submit {
                            runtime.read { endpoint, now in endpoint.core.reachabilityReport(now: now) }
                        }.get()
                        guard let report else { return ([], false) }
                        let reachable = report.status == .public
                        var addresses = report.observedAddresses.map(\.address)
                        if reachable {
                            // Where it listens, when that is an address others can dial (not 0.0.0.0).
                            addresses += state.withLockedValue { $0.addresses }.filter { !$0.isUnspecified }
                        }
                        return (addresses, reachable)
                    },
                    send: { peer, bytes in await exchange.sendHolePunch(bytes, to: peer) },
                    adopt: { connection, peer in await exchange.adoptPunched(connection, expecting: peer) }
                ),
                logger: logger)
        } else {
            self.holePunching = nil
        }
        if let exchange, let reservationConfiguration = configuration.relayReservations {
            let localID = NodeID(publicKeyBytes: configuration.identity.publicKey.bytes)
            let runner = RelayReservationRunner(
                configuration: reservationConfiguration,
                identity: configuration.identity,
                exchange: exchange,
                eventLoop: runtime.eventLoop,
                logger: logger,
                candidates: {
                    // The routing table's contacts: public nodes (a client enters no table), nearest first.
                    (try? await runtime.eventLoop.submit {
                        runtime.read { endpoint, _ in
                            endpoint.core.routingTable.closest(to: localID, count: reservationConfiguration.maxCandidates)
                        }
                    }.get()) ?? []
                },
                relaysChanged: { relays in
                    runtime.eventLoop.execute {
                        runtime.perform { core, now in core.setRelays(relays.map(\.address), now: now) }
                    }
                }
            )
            runtime.clientModeChanged = { isClient in runner.setActive(isClient) }
            self.reservations = runner
        } else {
            self.reservations = nil
        }
    }

    /// The relays this node is reached through (while it is private and holds reservations).
    public var relays: [Contact] { reservations?.relays ?? [] }

    /// The members of the node's swarm connected through the session rendezvous (empty without one).
    public var rendezvousMembers: Set<NodeID> { Set((rendezvous?.currentMembers ?? [:]).keys) }

    /// The addresses the node listens on, with the ports the system picked for port 0. Empty before ``start()``.
    public var listeningAddresses: [NodeAddress] { state.withLockedValue { $0.addresses } }

    /// Binds every listen address, restores the persisted state, and joins the network through the bootstrap
    /// addresses when the routing table is empty. Returns once the sockets are bound; joining goes on in the
    /// background (``bootstrap(from:)`` waits for it).
    ///
    /// - Throws: ``NodeError/bindFailed(_:_:)`` when an address cannot be bound (no socket stays open).
    public func start() async throws {
        try state.withLockedValue { state in
            guard !state.started else { throw NodeError.alreadyStarted }
            state.started = true
        }
        guard !configuration.listenAddresses.isEmpty else { throw NodeError.noListenAddress }
        if let rendezvous = configuration.rendezvous, !rendezvous.isValid {
            throw NodeError.invalidSwarmName(rendezvous.swarm)
        }
        var channels: [any Channel] = []
        var addresses: [NodeAddress] = []
        do {
            for address in configuration.listenAddresses {
                let (channel, bound) = try await bindUDPAndTCP(address)
                channels.append(channel)
                addresses.append(bound)
            }
        } catch {
            for channel in channels { try? await channel.close() }
            await exchange?.close()
            throw error
        }
        // A probe socket per address, on another port: a DIAL_PROBE must come from an address its target never sent
        // to. Without one the node still checks its own reachability, but sends no probes for others.
        var probeChannels: [any Channel] = []
        for address in addresses {
            do {
                probeChannels.append(try await bindProbeSocket(NodeAddress(host: address.host, port: 0)))
            } catch {
                logger.warning(
                    "no probe socket: this node refuses to send dial-back probes for others",
                    metadata: ["address": "\(address)", "error": "\(Self.socketFailure(error))"])
            }
        }
        state.withLockedValue {
            $0.channels = channels
            $0.addresses = addresses
        }
        if let exchange, let holePunching { await exchange.setHolePunching(holePunching) }
        let probing = probeChannels
        let allProbeSockets = probeChannels.count == addresses.count
        let restored = configuration.restoredState
        let seeds = configuration.bootstrapAddresses
        let tableSize = try await runtime.eventLoop.submit { [runtime] in
            runtime.update { core in
                let now = NodeRuntime.now()
                for contact in restored?.contacts ?? [] { core.restore(contact, now: now) }
                core.canSendProbes = allProbeSockets
                if let records = restored?.records { core.restoreRecords(records, now: now) }
            }
            runtime.attach(channels: channels, probeChannels: probing)
            return runtime.read { endpoint, _ in endpoint.core.routingTable.count }
        }.get()
        logger.debug(
            "node started",
            metadata: [
                "id": "\(id)", "listening": "\(addresses.map(\.description))",
                "restored-contacts": "\(tableSize)",
            ]
        )
        if tableSize == 0, !seeds.isEmpty {
            // Join in the background; bootstrap(from:) is there for callers that want to wait. How it went is
            // logged: an operator whose seeds are all wrong must not find out from an empty `dhtnode peers` later.
            let joined = runtime.eventLoop.flatSubmit { [runtime] in
                runtime.run { core, now in core.bootstrap(from: seeds, now: now) }
            }
            joined.whenComplete { [logger, runtime] outcome in
                guard case .success(.bootstrap(let answered, _)) = outcome else { return }
                let contacts = runtime.read { endpoint, _ in endpoint.core.routingTable.count }
                if answered == 0 {
                    logger.warning(
                        """
                        none of the bootstrap addresses answered: the node waits for others to contact it, and \
                        tries the addresses again at each maintenance tick while its routing table is empty
                        """,
                        metadata: ["bootstrap": "\(seeds.map(\.description))"]
                    )
                } else {
                    logger.debug(
                        "joined the network",
                        metadata: ["seeds-answered": "\(answered)/\(seeds.count)", "contacts": "\(contacts)"]
                    )
                }
            }
        }
        if let rendezvous, let exchange, let content = configuration.content {
            let task = Task {
                await rendezvous.run(
                    node: self, exchange: exchange, store: content.store, warmUpBytes: content.memberWarmUpBytes)
            }
            state.withLockedValue { $0.rendezvousTask = task }
        }
    }

    /// Binds the UDP socket for `address` and, with an exchange, a TCP listener on the same address and port. For
    /// port 0 the system picks the UDP port, which TCP may have in use already: then both are tried again on
    /// another port (at most 16 times).
    private func bindUDPAndTCP(_ address: NodeAddress) async throws -> (any Channel, NodeAddress) {
        var attempt = 0
        while true {
            attempt += 1
            let channel = try await bind(address)
            guard let bound = channel.localAddress.flatMap(NodeAddress.init) else {
                try? await channel.close()
                throw NodeError.bindFailed(address, transport: "UDP", reason: "the socket has no local address")
            }
            guard let exchange else { return (channel, bound) }
            do {
                // The exchange listens on TCP at the UDP socket's address and port: provider records name those.
                _ = try await exchange.listen(
                    host: bound.socketAddress.ipAddress ?? "", port: Int(bound.port), relay: relayService)
                return (channel, bound)
            } catch {
                try? await channel.close()
                guard address.port == 0, attempt < 16 else {
                    throw NodeError.bindFailed(bound, transport: "TCP", reason: Self.socketFailure(error))
                }
            }
        }
    }

    private func bind(_ address: NodeAddress) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: runtime.eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 0)
            .channelOption(.datagramVectorReadMessageCount, value: Self.vectorReadCount)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: Self.vectorReadCount * Self.readSlotByteCount)
            )
            .channelOption(
                .writeBufferWaterMark,
                value: .init(
                    low: configuration.limits.outboundQueue * DHTDatagram.maxByteCount / 2,
                    high: configuration.limits.outboundQueue * DHTDatagram.maxByteCount
                )
            )
            .channelInitializer { [runtime] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(runtime: runtime))
                }
            }
        if let bytes = configuration.receiveBufferBytes {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(bytes))
        }
        do {
            if address.isIPv6 {
                // One socket per family: an IPv6 socket does not also take IPv4 (so both may use one port).
                return try await bootstrap.channelOption(.ipOption(.ipv6_v6only), value: 1)
                    .bind(to: address.socketAddress).get()
            }
            return try await bootstrap.bind(to: address.socketAddress).get()
        } catch {
            throw NodeError.bindFailed(address, transport: "UDP", reason: Self.socketFailure(error))
        }
    }

    /// Binds a probe socket: it sends `DIAL_PROBE`s and drops whatever arrives.
    private func bindProbeSocket(_ address: NodeAddress) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: runtime.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProbeSocketHandler())
                }
            }
        if address.isIPv6 { bootstrap = bootstrap.channelOption(.ipOption(.ipv6_v6only), value: 1) }
        return try await bootstrap.bind(to: address.socketAddress).get()
    }

    /// The system's reason for a socket call's failure, in the words of `strerror` (`address already in use`),
    /// without the name of the call inside SwiftNIO that made it.
    static func socketFailure(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        let text = String(cString: strerror(error.errnoCode))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Closes every socket; operations in flight end with ``NodeError/notRunning``.
    public func stop() async {
        let wasStarted = state.withLockedValue { $0.started }
        guard wasStarted else { return }
        let rendezvousTask = state.withLockedValue { state in
            defer { state.rendezvousTask = nil }
            return state.rendezvousTask
        }
        rendezvousTask?.cancel()
        await rendezvousTask?.value
        stopRenewingNames()
        reservations?.stop()
        relayService?.close()
        await exchange?.close()
        try? await runtime.eventLoop.flatSubmit { [runtime] in runtime.shutdown() }.get()
        state.withLockedValue {
            $0.channels = []
            $0.addresses = []
        }
    }

    /// Joins through `seeds`: asks each for the nodes closest to us, then looks up our own ID. An empty list
    /// uses ``NodeConfiguration/bootstrapAddresses``.
    ///
    /// - Throws: ``NodeError/bootstrapFailed(tried:)`` when no seed answered.
    public func bootstrap(from seeds: [NodeAddress] = []) async throws -> BootstrapReport {
        let seeds = seeds.isEmpty ? configuration.bootstrapAddresses : seeds
        let result = try await run { core, now in core.bootstrap(from: seeds, now: now) }
        guard case .bootstrap(let answered, _) = result else { throw Self.failure(result) }
        guard answered > 0 else { throw NodeError.bootstrapFailed(tried: seeds.count) }
        let size = try await runtime.eventLoop.submit { [runtime] in
            runtime.read { endpoint, _ in endpoint.core.routingTable.count }
        }.get()
        return BootstrapReport(seedsAnswered: answered, routingTableSize: size)
    }

    /// The k nodes closest to `target` that answered an iterative lookup.
    ///
    /// - Throws: ``NodeError/noReachableNodes`` when nobody answered.
    public func findNode(_ target: NodeID) async throws -> LookupResult {
        try await lookup(.findNode) { core, now in core.findNode(target, now: now) }
    }

    /// Stores `value` under `key` on the k nodes closest to it, and republishes it until the node stops.
    ///
    /// - Throws: ``NodeError/valueTooLarge(bytes:limit:)``, ``NodeError/noReachableNodes``.
    public func put(_ value: [UInt8], under key: RecordKey, ttl: Duration? = nil) async throws -> PublishReport {
        let limit = min(configuration.kademlia.records.maxValueBytes, DHTDatagram.maxValueByteCount)
        guard value.count <= limit else { throw NodeError.valueTooLarge(bytes: value.count, limit: limit) }
        let ttl = ttl ?? configuration.kademlia.records.valueTTL
        return try await announce { core, now in core.put(key, value: value, ttl: ttl, now: now) }
    }

    /// The values stored under `key` (held locally or found by a FIND_VALUE lookup); empty when there are none.
    public func get(_ key: RecordKey) async throws -> [DHTValue] {
        let local = try await runtime.eventLoop.submit { [runtime] in
            runtime.read { endpoint, now in endpoint.core.values.values(for: key, now: now) }
        }.get()
        let found: [DHTValue]
        do {
            found = try await lookup(.findValue) { core, now in core.findValue(key, now: now) }.values
        } catch NodeError.noReachableNodes where !local.isEmpty {
            found = []
        }
        var seen = Set<NodeID>()
        return (local + found).filter { seen.insert($0.publisher).inserted }
    }

    /// Announces this node as a provider of `key` on the k nodes closest to it, and re-announces it until the
    /// node stops. An announcement that reaches no node (no peers yet) stays queued: the node announces the key
    /// 1 s after its routing table gains a contact, and tries again every minute until a node accepts it.
    ///
    /// - Throws: ``NodeError/noReachableNodes`` when it reached no node (the key is queued all the same).
    public func provide(_ key: RecordKey) async throws -> PublishReport {
        try await announce { core, now in core.provide(key, now: now) }
    }

    /// The providers of `key` found by a GET_PROVIDERS lookup, which ends once it found `wanted` of them (by
    /// default ``Kademlia/LookupConfiguration/providersWanted``) or converged.
    public func providers(of key: RecordKey, wanted: Int?) async throws -> [Contact] {
        try await lookup(.getProviders) { core, now in core.getProviders(key, wanted: wanted, now: now) }.providers
    }

    /// The providers of `key`, each as soon as a GET_PROVIDERS lookup hears of it (those this node holds first), so a
    /// caller can connect to the first while the lookup still waits for slower nodes. The stream ends with the
    /// lookup (once it found `wanted` providers, by default ``Kademlia/LookupConfiguration/providersWanted``, or
    /// converged); it names each provider once.
    ///
    /// - Throws (from the stream): ``NodeError/noReachableNodes`` when nobody answered,
    ///   ``NodeError/tooManyOperations``, ``NodeError/notRunning``.
    public func providerStream(of key: RecordKey, wanted: Int? = nil) -> AsyncThrowingStream<Contact, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Contact.self)
        let result = runtime.eventLoop.flatSubmit { [runtime] in
            runtime.run(
                { core, now in core.getProviders(key, wanted: wanted, now: now) },
                lookup: .getProviders,
                onProviders: { found in for contact in found { continuation.yield(contact) } }
            )
        }
        result.whenComplete { outcome in
            switch outcome {
            case .success(.lookup(let lookup)) where lookup.reachedNetwork:
                continuation.finish()
            case .success(let other):
                continuation.finish(throwing: Self.failure(other))
            case .failure(let error):
                continuation.finish(throwing: error)
            }
        }
        return stream
    }

    /// The providers of `key` found by a GET_PROVIDERS lookup run to its default end.
    public func providers(of key: RecordKey) async throws -> [Contact] {
        try await providers(of: key, wanted: nil)
    }

    /// Pings `address`: the contact that answered (its signature checked) and the round trip, or `nil`.
    public func ping(_ address: NodeAddress) async throws -> (contact: Contact, roundTripTime: Duration)? {
        let result = try await run { core, now in core.ping(address, now: now) }
        guard case .ping(let contact, let rtt) = result else { throw Self.failure(result) }
        guard let contact, let rtt else { return nil }
        return (contact, rtt)
    }

    /// The routing table's contacts, closest to our ID first, then the session members that are not in it;
    /// ``Peer/isSessionMember`` marks the members connected through the rendezvous.
    public func peers() async throws -> [Peer] {
        let members = rendezvous?.currentMembers ?? [:]
        var peers = try await routingTablePeers()
        for index in peers.indices where members[peers[index].contact.id] != nil {
            peers[index].isSessionMember = true
        }
        let listed = Set(peers.map(\.contact.id))
        for (id, contact) in members.sorted(by: { $0.key < $1.key }) where !listed.contains(id) {
            peers.append(Peer(contact: contact, roundTripTime: nil, lastSeenAgo: .zero, failures: 0, isSessionMember: true))
        }
        return peers
    }

    private func routingTablePeers() async throws -> [Peer] {
        try await runtime.eventLoop.submit { [runtime, id] in
            runtime.read { endpoint, now in
                endpoint.core.routingTable.buckets.flatMap(\.entries).map { entry in
                    Peer(
                        contact: entry.contact,
                        roundTripTime: entry.rtt.smoothed,
                        lastSeenAgo: now - entry.lastSeen,
                        failures: Int(entry.failures)
                    )
                }.sorted { $0.contact.id.distance(to: id) < $1.contact.id.distance(to: id) }
            }
        }.get()
    }

    /// Whether other nodes can reach this one, as its dial-backs found (docs/PROTOCOL.md, "Reachability and client
    /// mode"), with the addresses peers saw it at.
    ///
    /// A node asks a few peers to have a third node probe the address they see it at; probes that reach it from
    /// several peers make it ``Kademlia/ReachabilityStatus/public``, probes that went out and never arrived make it
    /// ``Kademlia/ReachabilityStatus/private``. It decides within seconds of joining and keeps checking: one
    /// dial-back every two minutes once settled, several at once when the result changes or a peer sees another IP.
    /// A private node runs as a DHT client: it looks up, stores, provides and fetches, but answers no DHT request,
    /// so that no routing table takes in an address nobody can reach.
    ///
    /// - Throws: ``NodeError/notRunning`` once the node stopped.
    public var reachability: ReachabilityReport {
        get async throws {
            try await runtime.eventLoop.submit { [runtime] in
                runtime.read { endpoint, now in endpoint.core.reachabilityReport(now: now) }
            }.get()
        }
    }

    /// The node's counters.
    public func statistics() async throws -> NodeStatistics {
        try await runtime.eventLoop.submit { [runtime] in runtime.statistics() }.get()
    }

    /// Contacts and records to persist, for ``NodeConfiguration/restoredState`` at the next start.
    public func snapshot() async throws -> NodeSnapshot {
        try await runtime.eventLoop.submit { [runtime] in
            runtime.read { endpoint, now in
                NodeSnapshot(
                    contacts: endpoint.core.routingTable.contacts,
                    records: endpoint.core.recordSnapshot(now: now)
                )
            }
        }.get()
    }

    // MARK: - Running operations

    func run(
        lookup kind: LookupKind? = nil,
        _ command: @escaping @Sendable (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective])
    ) async throws -> OperationResult {
        let result = try await runtime.eventLoop.flatSubmit { [runtime] in
            runtime.run(command, lookup: kind)
        }.get()
        if case .refusedTooManyOperations = result { throw NodeError.tooManyOperations }
        return result
    }

    private func lookup(
        _ kind: LookupKind,
        _ command: @escaping @Sendable (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective])
    ) async throws -> LookupResult {
        let result = try await run(lookup: kind, command)
        guard case .lookup(let lookup) = result else { throw Self.failure(result) }
        guard lookup.reachedNetwork else { throw NodeError.noReachableNodes }
        return lookup
    }

    func announce(
        _ command: @escaping @Sendable (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective])
    ) async throws -> PublishReport {
        let result = try await run(command)
        guard case .published(let lookup, let accepted, let asked) = result else { throw Self.failure(result) }
        guard lookup.reachedNetwork else { throw NodeError.noReachableNodes }
        return PublishReport(asked: asked, accepted: accepted, lookup: lookup)
    }

    static func failure(_ result: OperationResult) -> NodeError {
        if case .refusedTooManyOperations = result { return .tooManyOperations }
        return .noReachableNodes
    }
}
