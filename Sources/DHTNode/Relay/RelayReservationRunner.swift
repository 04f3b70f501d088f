import DHTCrypto
import Kademlia
import Logging
import Metrics
import NIOCore
import NIOPosix
import Relay
import Synchronization

/// The shell around a node's ``Relay/RelayReservations`` (docs/PROTOCOL.md, "Relays": reserving): while the node
/// is private it holds a reservation connection to each of its relays, proves its key on it, renews it, takes the
/// circuits the relays announce (``ExchangeNode/acceptRelayed(at:token:)``), and tells the DHT core which relays
/// its provider records name.
///
/// Metrics: `relay_reservations_held` (gauge) and `relay_circuits_accepted_total`.
final class RelayReservationRunner: Sendable {
    private struct State: ~Copyable {
        var core: RelayReservations
        var channels: [NodeID: any Channel] = [:]
        var timer = CoreDeadlineTimer()
        var accepting = 0
    }

    /// Circuits being accepted at once; a relay announcing more is ignored until some are done.
    static let maxAccepting = 16

    private let state: Mutex<State>
    private let identity: NodeIdentity
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let exchange: ExchangeNode<AnyContentStore>
    /// Hears the relays held whenever they change.
    private let relaysChanged: @Sendable ([Contact]) -> Void
    /// Public nodes to reserve with (the routing table's).
    private let candidates: @Sendable () async -> [Contact]
    private let heldGauge = Gauge(label: "relay_reservations_held")
    private let acceptedCounter = Counter(label: "relay_circuits_accepted_total")

    init(
        configuration: RelayReservationsConfiguration,
        identity: NodeIdentity,
        exchange: ExchangeNode<AnyContentStore>,
        eventLoop: any EventLoop,
        logger: Logger,
        candidates: @escaping @Sendable () async -> [Contact],
        relaysChanged: @escaping @Sendable ([Contact]) -> Void
    ) {
        self.state = Mutex(State(core: RelayReservations(configuration: configuration)))
        self.identity = identity
        self.exchange = exchange
        self.eventLoop = eventLoop
        self.logger = logger
        self.candidates = candidates
        self.relaysChanged = relaysChanged
    }

    /// The relays reserved now.
    var relays: [Contact] { state.withLock { $0.core.relays } }

    /// The node became private (reserve) or public (release).
    func setActive(_ active: Bool) {
        logger.info(active ? "private: reserving relay slots" : "public: releasing relay slots")
        run { $0.setActive(active, now: $1) }
    }

    /// Releases everything (the node stops).
    func stop() {
        run { $0.setActive(false, now: $1) }
        state.withLock { state in
            state.timer.cancel()
        }
    }

    private func run(_ event: (inout RelayReservations, DHTInstant) -> [RelayReservationDirective]) {
        let now = NodeRuntime.now()
        let (directives, channels) = state.withLock { state in
            let directives = event(&state.core, now)
            scheduleTick(in: &state)
            return (directives, state.channels)
        }
        for directive in directives { carryOut(directive, channels: channels) }
    }

    private func carryOut(_ directive: RelayReservationDirective, channels: [NodeID: any Channel]) {
        switch directive {
        case .reserve(let relay):
            reserve(relay)
        case .renew(let relay):
            guard let channel = channels[relay] else { return }
            channel.writeAndFlush(channel.allocator.buffer(bytes: RelayMessage.renew.encoded()), promise: nil)
        case .release(let relay):
            let channel = state.withLock { $0.channels.removeValue(forKey: relay) }
            channel?.close(promise: nil)
        case .relaysChanged(let relays):
            heldGauge.record(relays.count)
            logger.info("relays changed", metadata: ["relays": "\(relays.map(\.description))"])
            relaysChanged(relays)
        case .wantCandidates:
            Task { [self] in
                let offered = await candidates()
                logger.debug("relay candidates", metadata: ["candidates": "\(offered.map(\.description))"])
                run { $0.offer(offered, now: $1) }
            }
        }
    }

    private func reserve(_ relay: Contact) {
        logger.debug("reserving a relay slot", metadata: ["relay": "\(relay)"])
        let handler = ReservationHandler(runner: self, relay: relay, identity: identity)
        let connecting = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(to: relay.address.socketAddress)
        connecting.whenComplete { [self] outcome in
            switch outcome {
            case .success(let channel):
                let kept = state.withLock { state in
                    // Released or failed meanwhile: not wanted any more.
                    guard state.core.isActive else { return false }
                    state.channels[relay.id] = channel
                    return true
                }
                if !kept { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { [self] _ in
                    let current = state.withLock { state in
                        guard state.channels[relay.id] === channel else { return false }
                        state.channels[relay.id] = nil
                        return true
                    }
                    if current { run { $0.failed(relay.id, now: $1) } }
                }
            case .failure(let error):
                logger.debug("relay unreachable", metadata: ["relay": "\(relay)", "error": "\(error)"])
                run { $0.failed(relay.id, now: $1) }
            }
        }
    }

    // MARK: From the reservation connections

    func reserved(_ relay: Contact, lifetime: Duration) {
        run { $0.reserved(relay.id, lifetime: lifetime, now: $1) }
    }

    func refused(_ relay: Contact, _ status: RelayStatus) {
        logger.debug("relay refused a reservation", metadata: ["relay": "\(relay)", "status": "\(status)"])
        let channel = state.withLock { $0.channels.removeValue(forKey: relay.id) }
        channel?.close(promise: nil)
        run { $0.failed(relay.id, now: $1) }
    }

    func incoming(token: [UInt8], at relay: Contact) {
        let admitted = state.withLock { state in
            guard state.accepting < Self.maxAccepting else { return false }
            state.accepting += 1
            return true
        }
        guard admitted else { return }
        acceptedCounter.increment()
        Task { [self] in
            do {
                try await exchange.acceptRelayed(at: relay.address.socketAddress, token: token)
            } catch {
                logger.debug("relayed connection failed", metadata: ["relay": "\(relay)", "error": "\(error)"])
            }
            state.withLock { $0.accepting -= 1 }
        }
    }

    private func scheduleTick(in state: inout State) {
        state.timer.arm(for: state.core.nextDeadline, on: eventLoop) { [self] in
            self.state.withLock { $0.timer.fired() }
            run { $0.tick(now: $1) }
        }
    }
}

/// The node's end of a reservation connection: sends `reserve`, answers the challenge with its signature, and
/// reports the relay's answers and announcements to the runner.
private final class ReservationHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let runner: RelayReservationRunner
    private let relay: Contact
    private let identity: NodeIdentity
    private let reader = Mutex(RelayMessageReader())

    init(runner: RelayReservationRunner, relay: Contact, identity: NodeIdentity) {
        self.runner = runner
        self.relay = relay
        self.identity = identity
    }

    func channelActive(context: ChannelHandlerContext) {
        send(.reserve(publicKey: identity.publicKey.bytes), context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            var message = try reader.withLock { try $0.read(buffer.readableBytesView) }
            while let next = message {
                handle(next, context: context)
                message = try reader.withLock { try $0.next() }
            }
        } catch {
            context.close(promise: nil)
        }
    }

    private func handle(_ message: RelayMessage, context: ChannelHandlerContext) {
        let key = identity.publicKey.bytes
        switch message {
        case .challenge(let nonce):
            send(.proof(signature: identity.sign(RelayProof.signedBytes(nonce: nonce, publicKey: key))), context: context)
        case .reserved(.ok, let lifetime, _, _):
            runner.reserved(relay, lifetime: .seconds(Int64(max(lifetime, 2))))
        case .reserved(let status, _, _, _):
            runner.refused(relay, status)
        case .incoming(let token, _):
            runner.incoming(token: token, at: relay)
        default:
            context.close(promise: nil)
        }
    }

    private func send(_ message: RelayMessage, context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: message.encoded())), promise: nil)
    }
}
