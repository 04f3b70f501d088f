import DHTCrypto
import Exchange
import Kademlia
import Logging
import Metrics
import NIOCore
import Relay

/// The shell of hole punching (docs/PROTOCOL.md, "Hole punching"): one ``Relay/HolePunch`` core per relayed exchange
/// connection, its messages carried by the exchange (`HOLE_PUNCH`), its dials made from the exchange's port
/// (``SecureTransport/punch(to:from:initiator:expecting:timeout:)``), and the direct connection handed to the
/// exchange, which moves the peer onto it.
///
/// The exchange reports its relayed connections, their messages and their ends as ``Event``s in one stream, which
/// ``run(_:)`` takes in order: a message never overtakes the connection it came on. Each core's next deadline is
/// one sleeping task, replaced whenever the core moves; nothing looks at a punch on a period.
actor HolePunchService {
    /// What the exchange tells the service, in the order it happened.
    enum Event: Sendable {
        /// A relayed connection to the peer (whose key is given) is open; this node is the given end of it.
        case opened(ExchangePeer, key: Ed25519PublicKey, side: HolePunch.Side)
        /// Hole-punch bytes arrived from the peer over its relayed link.
        case received(ExchangePeer, [UInt8])
        /// The exchange reaches the peer directly now, however that came about.
        case connectedDirectly(ExchangePeer)
        /// The connection to the peer closed.
        case closed(ExchangePeer)
    }

    /// What the service needs from the node around it.
    struct Environment: Sendable {
        /// Dials with it.
        var transport: SecureTransport
        /// The exchange's listening addresses, which the dials bind to.
        var localAddresses: @Sendable () -> [SocketAddress]
        /// Where peers observe this node, and whether it is reachable directly (public).
        var ownAddresses: @Sendable () async -> (addresses: [NodeAddress], reachable: Bool)
        /// Sends hole-punch bytes to a peer over its relayed link.
        var send: @Sendable (ExchangePeer, [UInt8]) async -> Void
        /// Hands a punched connection to the exchange; whether the peer is now reached directly.
        var adopt: @Sendable (SecureConnection, ExchangePeer) async -> Bool
    }

    private struct Punch {
        var core: HolePunch
        let key: Ed25519PublicKey
        let generation: UInt64
        var timer: Task<Void, Never>?
    }

    private let configuration: HolePunchConfiguration
    private let environment: Environment
    private let logger: Logger
    private var punches: [ExchangePeer: Punch] = [:]
    private var nextGeneration: UInt64 = 1
    private var isClosed = false

    private let attempts = Counter(label: "holepunch_attempts_total")
    private let direct = Counter(label: "holepunch_direct_total")

    init(configuration: HolePunchConfiguration = HolePunchConfiguration(), environment: Environment, logger: Logger) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
    }

    /// Takes the exchange's events in order until the stream ends (the exchange closes); then ends every punch.
    func run(_ events: AsyncStream<Event>) async {
        for await event in events {
            switch event {
            case .opened(let peer, let key, let side): await relayedConnectionOpened(to: peer, key: key, side: side)
            case .received(let peer, let bytes): received(bytes, from: peer)
            case .connectedDirectly(let peer): update(peer) { core, now in core.connectedDirectly(now: now) }
            case .closed(let peer): connectionClosed(to: peer)
            }
        }
        close()
    }

    /// A relayed connection to `peer` (whose key is `key`) is open; this node is the `side` end of it. The next
    /// event waits while its addresses are read, so the peer's first message finds the punch set up.
    private func relayedConnectionOpened(to peer: ExchangePeer, key: Ed25519PublicKey, side: HolePunch.Side) async {
        guard !isClosed, punches[peer] == nil else { return }
        let own = await environment.ownAddresses()
        guard !isClosed, punches[peer] == nil else { return }
        let core = HolePunch(
            side: side, addresses: own.addresses, reachable: own.reachable, configuration: configuration,
            now: NodeRuntime.now())
        punches[peer] = Punch(core: core, key: key, generation: nextGeneration)
        nextGeneration += 1
        logger.debug(
            "hole punch started",
            metadata: ["peer": "\(peer)", "side": "\(side)", "addresses": "\(own.addresses.map(\.description))"])
        update(peer) { core, now in core.start(now: now) }
    }

    /// Hole-punch bytes arrived from `peer` over its relayed link.
    private func received(_ bytes: [UInt8], from peer: ExchangePeer) {
        do {
            let message = try HolePunchMessage(decoding: bytes)
            update(peer) { core, now in core.received(message, now: now) }
        } catch {
            logger.debug("malformed hole-punch message", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// The connection to `peer` closed: its punch, if any, is over.
    private func connectionClosed(to peer: ExchangePeer) {
        guard let punch = punches.removeValue(forKey: peer) else { return }
        punch.timer?.cancel()
    }

    /// Ends every punch.
    private func close() {
        isClosed = true
        for punch in punches.values { punch.timer?.cancel() }
        punches = [:]
    }

    // MARK: Core

    private func update(_ peer: ExchangePeer, _ event: (inout HolePunch, DHTInstant) -> [HolePunchDirective]) {
        guard var punch = punches[peer] else { return }
        let directives = event(&punch.core, NodeRuntime.now())
        punches[peer] = punch
        for directive in directives { carryOut(directive, for: peer, punch: punch) }
        rearm(peer)
    }

    private func carryOut(_ directive: HolePunchDirective, for peer: ExchangePeer, punch: Punch) {
        switch directive {
        case .send(let message):
            if case .connect = message, punch.core.side == .acceptor { attempts.increment() }
            let send = environment.send
            Task { await send(peer, message.encoded()) }
        case .dial(let addresses, let initiator):
            let generation = punch.generation
            let key = punch.key
            Task {
                let succeeded = await self.dial(addresses, peer: peer, key: key, initiator: initiator)
                self.dialed(peer, generation: generation, succeeded: succeeded)
            }
        case .finished(let outcome):
            switch outcome {
            case .direct(let attempts):
                direct.increment()
                logger.info("hole punch succeeded", metadata: ["peer": "\(peer)", "attempts": "\(attempts)"])
            case .relayed(let failure):
                Counter(label: "holepunch_relayed_total", dimensions: [("reason", failure.rawValue)]).increment()
                logger.info(
                    "hole punch failed: the connection stays relayed",
                    metadata: ["peer": "\(peer)", "reason": "\(failure.rawValue)", "attempts": "\(punch.core.attempts)"])
            }
        }
    }

    private func dialed(_ peer: ExchangePeer, generation: UInt64, succeeded: Bool) {
        guard punches[peer]?.generation == generation else { return }
        update(peer) { core, now in core.dialed(succeeded: succeeded, now: now) }
    }

    private func rearm(_ peer: ExchangePeer) {
        guard var punch = punches[peer] else { return }
        punch.timer?.cancel()
        punch.timer = nil
        if punch.core.outcome != nil {
            // Kept until the connection closes, so that a later relayed link to the same peer does not punch again
            // while this one lives.
            punches[peer] = punch
            return
        }
        if let deadline = punch.core.nextDeadline {
            let generation = punch.generation
            let delay = deadline - NodeRuntime.now()
            punch.timer = Task {
                if delay > .zero { guard (try? await Task.sleep(for: delay)) != nil else { return } }
                self.tick(peer, generation: generation)
            }
        }
        punches[peer] = punch
    }

    private func tick(_ peer: ExchangePeer, generation: UInt64) {
        guard punches[peer]?.generation == generation else { return }
        update(peer) { core, now in core.tick(now: now) }
    }

    // MARK: Dialing

    /// Dials every address at once from the exchange's port; keeps the first connection whose handshake proves
    /// `peer` and hands it to the exchange.
    private nonisolated func dial(
        _ addresses: [NodeAddress], peer: ExchangePeer, key: Ed25519PublicKey, initiator: Bool
    ) async -> Bool {
        let locals = environment.localAddresses()
        let transport = environment.transport
        let timeout = configuration.dialTimeout
        let connection = await withTaskGroup(of: SecureConnection?.self) { group in
            for address in addresses {
                let target = address.socketAddress
                guard let local = locals.first(where: { $0.protocol == target.protocol }) else { continue }
                group.addTask {
                    try? await transport.punch(
                        to: target, from: local, initiator: initiator, expecting: initiator ? key : nil,
                        timeout: timeout)
                }
            }
            var winner: SecureConnection?
            for await connection in group {
                guard let connection else { continue }
                if winner == nil, ExchangeNode<AnyContentStore>.peer(for: connection.peer.publicKey) == peer {
                    winner = connection
                } else {
                    await Self.discard(connection)
                }
            }
            return winner
        }
        guard let connection else { return false }
        return await environment.adopt(connection, peer)
    }

    private static func discard(_ connection: SecureConnection) async {
        connection.channel.channel.close(promise: nil)
        try? await connection.channel.executeThenClose { _, _ in }
    }
}
