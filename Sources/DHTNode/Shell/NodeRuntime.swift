import DHTCrypto
import Kademlia
import Logging
import NIOCore

/// The shell around a ``DatagramEndpoint``: owns its sockets and timers, and runs it on one event loop.
///
/// Every method runs on ``eventLoop`` (checked with `preconditionInEventLoop` in debug builds); that is what makes
/// the unchecked `Sendable` sound. Datagrams read in one batch are answered with writes that are flushed once at
/// the end of the batch (`channelReadComplete`), so NIO sends them with one `sendmmsg`.
final class NodeRuntime: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var endpoint: DatagramEndpoint
    private let logger: Logger
    private let metrics = NodeMetrics()
    private var ipv4Channel: (any Channel)?
    private var ipv6Channel: (any Channel)?
    /// The probe sockets: one per family, on another port, used for nothing but `DIAL_PROBE`s.
    private var ipv4ProbeChannel: (any Channel)?
    private var ipv6ProbeChannel: (any Channel)?
    private var channelsToFlush: [any Channel] = []
    private var waiting: [OperationID: EventLoopPromise<OperationResult>] = [:]
    /// Who hears of the providers a GET_PROVIDERS operation finds before it ends.
    private var providerListeners: [OperationID: @Sendable ([Contact]) -> Void] = [:]
    private var lookupsStarted: [OperationID: (LookupKind, DHTInstant)] = [:]
    private var timeouts = TimeoutQueue()
    private var timeoutTimer: (task: Scheduled<Void>, deadline: DHTInstant)?
    private var tickTimer: Scheduled<Void>?
    private var metricsTimer: RepeatedTask?
    private var sendQueueDrops = 0
    private(set) var isRunning = false
    /// Hears when the core starts or stops running as a DHT client (a private node), on the loop.
    var clientModeChanged: (@Sendable (Bool) -> Void)?
    /// Sends a dial-back's TCP probe (``EndpointOutput/tcpProbe(nonce:to:)``); `nil` (a node without an exchange
    /// listener) sends none.
    var tcpProbe: (@Sendable (UInt64, NodeAddress) -> Void)?
    private var wasClient = false

    init(endpoint: DatagramEndpoint, eventLoop: any EventLoop, logger: Logger) {
        self.endpoint = endpoint
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// The monotonic clock as the core's instant.
    static func now() -> DHTInstant {
        DHTInstant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds))
    }

    // MARK: - Lifecycle

    /// Takes the bound channels (and the probe sockets) and starts the core's timers.
    func attach(channels: [any Channel], probeChannels: [any Channel] = []) {
        eventLoop.preconditionInEventLoop()
        for channel in channels {
            let isIPv6: Bool
            if case .v6 = channel.localAddress { isIPv6 = true } else { isIPv6 = false }
            if isIPv6 { ipv6Channel = channel } else { ipv4Channel = channel }
        }
        for channel in probeChannels {
            if case .v6 = channel.localAddress { ipv6ProbeChannel = channel } else { ipv4ProbeChannel = channel }
        }
        isRunning = true
        let now = Self.now()
        apply(endpoint.perform({ $0.start(now: now) }, now: now))
        metricsTimer = eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [self] _ in
            metrics.record(statistics())
        }
        flush()
    }

    /// Changes the core before it runs (restoring persisted state).
    func update(_ change: (inout KademliaInstance) -> Void) {
        eventLoop.preconditionInEventLoop()
        endpoint.update(change)
    }

    /// Stops timers, fails every waiting operation, and closes the channels.
    func shutdown() -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        isRunning = false
        tickTimer?.cancel()
        timeoutTimer?.task.cancel()
        metricsTimer?.cancel()
        timeouts.removeAll()
        for promise in waiting.values { promise.fail(NodeError.notRunning) }
        waiting = [:]
        providerListeners = [:]
        let closes = [ipv4Channel, ipv6Channel, ipv4ProbeChannel, ipv6ProbeChannel].compactMap { $0 }.map {
            $0.close().recover { _ in }
        }
        ipv4Channel = nil
        ipv6Channel = nil
        ipv4ProbeChannel = nil
        ipv6ProbeChannel = nil
        return EventLoopFuture.andAllComplete(closes, on: eventLoop)
    }

    // MARK: - Commands

    /// Starts an operation in the core; the future completes with its result. `onProviders` hears of the providers
    /// a GET_PROVIDERS lookup finds as it finds them, before the future completes.
    func run(
        _ command: (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective]),
        lookup kind: LookupKind? = nil,
        onProviders: (@Sendable ([Contact]) -> Void)? = nil
    ) -> EventLoopFuture<OperationResult> {
        eventLoop.preconditionInEventLoop()
        guard isRunning else { return eventLoop.makeFailedFuture(NodeError.notRunning) }
        let now = Self.now()
        let (id, outputs) = endpoint.perform({ command(&$0, now) }, now: now)
        let promise = eventLoop.makePromise(of: OperationResult.self)
        waiting[id] = promise
        if let kind { lookupsStarted[id] = (kind, now) }
        if let onProviders { providerListeners[id] = onProviders }
        apply(outputs)
        flush()
        return promise.futureResult
    }

    /// Runs a command of the core that returns only directives, and carries them out.
    func perform(_ command: (inout KademliaInstance, DHTInstant) -> [KademliaDirective]) {
        eventLoop.preconditionInEventLoop()
        guard isRunning else { return }
        let now = Self.now()
        apply(endpoint.perform({ command(&$0, now) }, now: now))
        flush()
    }

    /// A dial-back's TCP probe arrived on the exchange listener (``DatagramEndpoint/tcpProbeArrived(nonce:from:now:)``).
    func tcpProbeArrived(nonce: UInt64, from address: NodeAddress) {
        eventLoop.preconditionInEventLoop()
        guard isRunning else { return }
        apply(endpoint.tcpProbeArrived(nonce: nonce, from: address, now: Self.now()))
        flush()
    }

    /// Reads the endpoint.
    func read<Result>(_ body: (DatagramEndpoint, DHTInstant) -> Result) -> Result {
        eventLoop.preconditionInEventLoop()
        return body(endpoint, Self.now())
    }

    /// The counters, with routing-table and record figures filled in.
    func statistics() -> NodeStatistics {
        var statistics = endpoint.statistics
        statistics.routingTableSize = endpoint.core.routingTable.count
        statistics.valuesHeld = endpoint.core.values.count
        statistics.providerRecordsHeld = endpoint.core.providers.count
        statistics.ownRecords = endpoint.core.publishedRecordCount
        statistics.ownRecordsQueued = endpoint.core.unannouncedRecordCount
        statistics.announcementsAccepted = endpoint.core.statistics.announcementsAccepted
        statistics.announcementsUnanswered = endpoint.core.statistics.announcementsUnanswered
        statistics.verificationsSkippedForNetwork = endpoint.core.statistics.verificationsSkippedForNetwork
        statistics.valuesRefused = endpoint.core.statistics.valuesRefused
        statistics.providersRefused = endpoint.core.statistics.providersRefused
        statistics.recordsRefused = endpoint.core.statistics.recordsRefused
        statistics.invalidRecordsRefused = endpoint.core.statistics.invalidRecordsRefused
        statistics.invalidRecordAnswers = endpoint.core.statistics.invalidRecordAnswers
        statistics.recordsCorrected = endpoint.core.statistics.recordsCorrected
        statistics.recordsEvicted = endpoint.core.records.evictions
        statistics.recordsHeld = endpoint.core.records.count
        statistics.valuesEvicted = endpoint.core.values.evictions
        statistics.providersEvicted = endpoint.core.providers.evictions
        statistics.reachability = endpoint.core.reachability.status
        statistics.reachabilityCounters = endpoint.core.reachability.counters
        statistics.dialBacksServed = endpoint.core.statistics.dialBacksServed
        statistics.dialRequestsServed = endpoint.core.statistics.dialRequestsServed
        statistics.requestsIgnoredAsClient = endpoint.core.statistics.requestsIgnoredAsClient
        statistics.clientsRemoved = endpoint.core.statistics.clientsRemoved
        if sendQueueDrops > 0 { statistics.dropped[.sendQueueFull, default: 0] += sendQueueDrops }
        return statistics
    }

    // MARK: - Events

    /// One datagram from a channel.
    func receive(_ envelope: AddressedEnvelope<ByteBuffer>, on channel: any Channel) {
        guard isRunning, let source = NodeAddress(envelope.remoteAddress) else { return }
        let bytes = Array(envelope.data.readableBytesView)
        apply(endpoint.receive(bytes, from: source, now: Self.now()))
    }

    /// Sends what the reads of a batch produced.
    func flush() {
        for channel in channelsToFlush { channel.flush() }
        channelsToFlush.removeAll(keepingCapacity: true)
    }

    private func timeoutsDue() {
        timeoutTimer = nil
        guard isRunning else { return }
        let now = Self.now()
        for id in timeouts.popDue(now: now) {
            apply(endpoint.handleTimeout(id, now: now))
        }
        armTimeoutTimer()
        flush()
    }

    private func tickDue() {
        tickTimer = nil
        guard isRunning else { return }
        let now = Self.now()
        apply(endpoint.tick(now: now))
        flush()
    }

    // MARK: - Outputs

    private func apply(_ outputs: [EndpointOutput]) {
        var timeoutsAdded = false
        for output in outputs {
            switch output {
            case .datagram(let bytes, let address):
                send(bytes, to: address)
            case .probe(let bytes, let address):
                // Without a probe socket the probe would come from the address the target may know: not sent.
                guard let channel = address.isIPv6 ? ipv6ProbeChannel : ipv4ProbeChannel else { break }
                send(bytes, to: address, on: channel)
            case .tcpProbe(let nonce, let address):
                guard ipv4ProbeChannel != nil || ipv6ProbeChannel != nil else { break }
                tcpProbe?(nonce, address)
            case .scheduleTimeout(let id, let deadline):
                timeouts.add(id, at: deadline)
                timeoutsAdded = true
            case .scheduleTick(let deadline):
                tickTimer?.cancel()
                tickTimer = eventLoop.scheduleTask(deadline: Self.deadline(deadline)) { [self] in tickDue() }
            case .providersFound(let id, let providers):
                providerListeners[id]?(providers)
            case .completed(let id, let result):
                providerListeners[id] = nil
                if let (kind, started) = lookupsStarted.removeValue(forKey: id) {
                    metrics.recordLookup(kind, duration: Self.now() - started)
                }
                waiting.removeValue(forKey: id)?.succeed(result)
            }
        }
        if timeoutsAdded { armTimeoutTimer() }
        let isClient = endpoint.core.isClient
        if isClient != wasClient {
            wasClient = isClient
            clientModeChanged?(isClient)
        }
    }

    private func send(_ bytes: [UInt8], to address: NodeAddress) {
        guard let channel = address.isIPv6 ? ipv6Channel : ipv4Channel else { return }
        send(bytes, to: address, on: channel)
    }

    private func send(_ bytes: [UInt8], to address: NodeAddress, on channel: any Channel) {
        guard channel.isWritable else {
            sendQueueDrops += 1
            return
        }
        let envelope = AddressedEnvelope(remoteAddress: address.socketAddress, data: ByteBuffer(bytes: bytes))
        channel.write(envelope, promise: nil)
        if !channelsToFlush.contains(where: { $0 === channel }) { channelsToFlush.append(channel) }
    }

    private func armTimeoutTimer() {
        guard let earliest = timeouts.earliest else { return }
        if let current = timeoutTimer {
            if current.deadline <= earliest { return }
            current.task.cancel()
        }
        let task = eventLoop.scheduleTask(deadline: Self.deadline(earliest)) { [self] in timeoutsDue() }
        timeoutTimer = (task, earliest)
    }

    /// The NIO deadline of a core's instant: both count uptime nanoseconds (``now()``).
    static func deadline(_ instant: DHTInstant) -> NIODeadline {
        .uptimeNanoseconds(UInt64(max(0, instant.nanoseconds)))
    }
}
