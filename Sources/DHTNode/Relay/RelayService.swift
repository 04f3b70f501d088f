import DHTCrypto
import Kademlia
import Logging
import Metrics
import NIOCore
import Relay
import Synchronization

/// The shell around a ``Relay/RelayInstance``: the relay service of a public node (docs/PROTOCOL.md, "Relays").
///
/// The exchange listener hands it every connection that starts with a relay message (``RelayDemultiplexer``). It
/// reads messages, feeds them to the core under one lock, and carries out the core's directives: writes, closes,
/// splices (from then on the two connections' bytes are copied to each other as they are, never read as
/// messages: they are the two ends' secure channel), cuts, pauses. The core's next deadline is one scheduled task.
///
/// Metrics: `relay_reservations` and `relay_circuits_open` (gauges), `relay_circuits_total`,
/// `relay_bytes_total`, `relay_circuits_cut_total{reason}` and `relay_refusals_total{status}`.
public final class RelayService: Sendable {
    private struct State: ~Copyable {
        var core: RelayInstance
        var channels: [RelayConnectionID: any Channel] = [:]
        var circuits: [RelayCircuitID: (any Channel, any Channel)] = [:]
        var nextConnection: UInt64 = 1
        var timer = CoreDeadlineTimer()
        var reported = RelayStatistics()
    }

    private let state: Mutex<State>
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let reservationsGauge = Gauge(label: "relay_reservations")
    private let circuitsGauge = Gauge(label: "relay_circuits_open")
    private let circuitsCounter = Counter(label: "relay_circuits_total")
    private let bytesCounter = Counter(label: "relay_bytes_total")

    /// Where a dial-back's TCP probe that arrives on the listener is reported (nonce, source address).
    private let probeArrived: (@Sendable (UInt64, NodeAddress) -> Void)?

    /// A relay with `configuration`; its timers run on `eventLoop`. `probeArrived` hears of the dial-back probes
    /// that arrive on the listener (``Relay/RelayMessage/probe(nonce:)``), which share its framing.
    public init(
        configuration: RelayConfiguration, eventLoop: any EventLoop, logger: Logger,
        probeArrived: (@Sendable (UInt64, NodeAddress) -> Void)? = nil
    ) {
        self.probeArrived = probeArrived
        let seed = SecureRandom.uint64()
        self.state = Mutex(State(core: RelayInstance(configuration: configuration, random: SeededRandom(seed: seed), now: NodeRuntime.now())))
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// What the relay did so far.
    public var statistics: RelayStatistics { state.withLock { $0.core.statistics } }
    /// Reservations held and circuits open now.
    public var counts: (reservations: Int, circuits: Int) {
        state.withLock { ($0.core.reservationCount, $0.core.circuitCount) }
    }

    /// Takes a connection whose first bytes (`firstBytes`, at least 10) are a relay message; on its loop.
    func adopt(_ channel: any Channel, firstBytes: ByteBuffer) {
        guard let address = channel.remoteAddress.flatMap(NodeAddress.init) else {
            channel.close(promise: nil)
            return
        }
        let id = state.withLock { state in
            let id = RelayConnectionID(state.nextConnection)
            state.nextConnection += 1
            state.channels[id] = channel
            return id
        }
        let handler = RelayConnectionHandler(service: self, id: id)
        do {
            try channel.pipeline.syncOperations.addHandler(handler)
        } catch {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { state in
                state.channels[id] = nil
                // At most maxCircuits entries.
                for (circuit, ends) in state.circuits where ends.0 === channel || ends.1 === channel {
                    state.circuits[circuit] = nil
                }
            }
            run { $0.closed(id, now: $1) }
        }
        run { $0.opened(id, from: address, now: $1) }
        handler.read(firstBytes, context: nil)
    }

    /// Closes every relay connection and stops the timer (the node stops).
    func close() {
        let channels = state.withLock { state in
            state.timer.cancel()
            defer { state.channels = [:] }
            return Array(state.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// A message read on connection `id`.
    func received(_ message: RelayMessage, on id: RelayConnectionID) {
        if case .probe(let nonce) = message {
            // A dial-back's TCP probe, not relaying: the node hears of it, and the connection has served.
            let channel = state.withLock { $0.channels[id] }
            if let address = channel?.remoteAddress.flatMap(NodeAddress.init) { probeArrived?(nonce, address) }
            channel?.close(promise: nil)
            return
        }
        run { $0.received(message, on: id, now: $1) }
    }

    /// Bytes one end of `circuit` sent, copied to the other end.
    func forwarded(_ circuit: RelayCircuitID, bytes: Int) {
        run { $0.forwarded(circuit, bytes: bytes, now: $1) }
    }

    /// A connection broke the protocol: it is closed (the core forgets it when the close completes).
    func malformed(_ id: RelayConnectionID, _ error: RelayWireError) {
        logger.debug("relay connection closed", metadata: ["error": "\(error)"])
        let channel = state.withLock { $0.channels[id] }
        channel?.close(promise: nil)
    }

    /// Runs `event` on the core under the lock, then carries out its directives outside it.
    private func run(_ event: (inout RelayInstance, DHTInstant) -> [RelayDirective]) {
        let now = NodeRuntime.now()
        let (actions, statistics, counts) = state.withLock { state in
            let directives = event(&state.core, now)
            var actions: [@Sendable () -> Void] = []
            for directive in directives { actions += plan(directive, in: &state) }
            scheduleTick(in: &state)
            let statistics = (state.core.statistics, state.reported)
            state.reported = state.core.statistics
            return (actions, statistics, (state.core.reservationCount, state.core.circuitCount))
        }
        for action in actions { action() }
        report(statistics.0, since: statistics.1, counts: counts)
    }

    /// Turns a directive into what to do once the lock is released.
    private func plan(_ directive: RelayDirective, in state: inout State) -> [@Sendable () -> Void] {
        switch directive {
        case .send(let id, let message):
            guard let channel = state.channels[id] else { return [] }
            let bytes = message.encoded()
            return [{ channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil) }]
        case .close(let id):
            guard let channel = state.channels.removeValue(forKey: id) else { return [] }
            return [{ channel.close(promise: nil) }]
        case .splice(let circuit, let a, let b):
            guard let first = state.channels[a], let second = state.channels[b] else { return [] }
            state.circuits[circuit] = (first, second)
            return [{ [self] in RelaySpliceHandler.splice(first, second, circuit: circuit, service: self) }]
        case .cut(let circuit, _):
            guard let (first, second) = state.circuits.removeValue(forKey: circuit) else { return [] }
            return [{
                first.close(promise: nil)
                second.close(promise: nil)
            }]
        case .pause(let circuit, let until):
            guard let (first, second) = state.circuits[circuit] else { return [] }
            let delay = TimeAmount.nanoseconds(max(0, (until - NodeRuntime.now()).nanosecondsClamped))
            return [{
                RelaySpliceHandler.pause(first, for: delay)
                RelaySpliceHandler.pause(second, for: delay)
            }]
        }
    }

    private func scheduleTick(in state: inout State) {
        state.timer.arm(for: state.core.nextDeadline, on: eventLoop) { [self] in
            self.state.withLock { $0.timer.fired() }
            run { $0.tick(now: $1) }
        }
    }

    private func report(_ now: RelayStatistics, since before: RelayStatistics, counts: (Int, Int)) {
        reservationsGauge.record(counts.0)
        circuitsGauge.record(counts.1)
        if now.circuitsOpened > before.circuitsOpened {
            circuitsCounter.increment(by: Int64(now.circuitsOpened - before.circuitsOpened))
        }
        if now.bytesRelayed > before.bytesRelayed {
            bytesCounter.increment(by: Int64(now.bytesRelayed - before.bytesRelayed))
        }
        for (reason, count) in now.cuts where count > before.cuts[reason, default: 0] {
            Counter(label: "relay_circuits_cut_total", dimensions: [("reason", reason.rawValue)])
                .increment(by: Int64(count - before.cuts[reason, default: 0]))
            logger.info("relayed connection cut", metadata: ["reason": "\(reason.rawValue)"])
        }
        for (status, count) in now.refusals where count > before.refusals[status, default: 0] {
            Counter(label: "relay_refusals_total", dimensions: [("status", status.description)])
                .increment(by: Int64(count - before.refusals[status, default: 0]))
        }
    }
}
