@testable import Kademlia

/// A tiny in-memory network of ``KademliaInstance``s: routes `.send` directives between them with a fixed
/// latency, fires `.scheduleTimeout`s by advancing a virtual clock, and collects `.completed` results.
/// `.scheduleTick` directives are recorded, not run (tests call `tick` themselves).
struct TestNetwork {
    enum Event {
        case deliver(KademliaMessage, from: NodeAddress, to: Int)
        case timeout(TransactionID, node: Int)
    }

    struct Scheduled {
        var at: DHTInstant
        var sequence: Int
        var event: Event
    }

    var nodes: [KademliaInstance] = []
    var addresses: [NodeAddress] = []
    var now = DHTInstant.seconds(1)
    var latency: Duration = .milliseconds(10)
    /// Nodes that receive nothing (as if gone).
    var silent: Set<Int> = []
    /// Nodes behind a NAT that filters: they receive only from addresses they sent to (a `DIAL_PROBE` goes out
    /// from its sender's probe address, ``probeAddress(of:)``, which nobody sends to).
    var filtered: Set<Int> = []
    /// Datagrams a filtering NAT dropped, by node.
    var filteredOut: [Int: Int] = [:]
    private var sentTo: [Int: Set<NodeAddress>] = [:]
    /// Every result of an operation, by node.
    var completed: [Int: [OperationID: OperationResult]] = [:]
    /// Every `.providersFound` report of an operation, in order, by node: (when, providers).
    var providersFound: [Int: [OperationID: [(at: DHTInstant, providers: [Contact])]]] = [:]
    /// The last `.scheduleTick` instant asked for, by node.
    var ticks: [Int: DHTInstant] = [:]
    /// Every message sent: (from node, to address, message).
    var sent: [(from: Int, to: NodeAddress, message: KademliaMessage)] = []
    private var queue: [Scheduled] = []
    private var sequence = 0

    /// Adds a node with `id` at a fresh address; returns its index.
    @discardableResult
    mutating func addNode(
        id: NodeID,
        configuration: KademliaConfiguration = KademliaConfiguration(),
        recordValidator: (any MutableRecordValidator)? = TestRecordValidator(),
        seed: UInt64? = nil
    ) -> Int {
        let index = nodes.count
        let instance = KademliaInstance(
            localID: id, configuration: configuration, recordValidator: recordValidator, seed: seed ?? UInt64(index + 1),
            now: now)
        nodes.append(instance)
        addresses.append(TestIDs.address(index))
        apply(instance.start(now: now), from: index)
        return index
    }

    func index(of address: NodeAddress) -> Int? {
        addresses.firstIndex(of: address)
    }

    func contact(_ index: Int) -> Contact {
        Contact(id: nodes[index].localID, address: addresses[index])
    }

    /// Runs a command on a node and applies its directives; returns the operation's ID.
    @discardableResult
    mutating func command(_ node: Int, _ body: (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective])) -> OperationID {
        let (id, directives) = body(&nodes[node], now)
        apply(directives, from: node)
        return id
    }

    /// Carries out directives of `node`.
    mutating func apply(_ directives: [KademliaDirective], from node: Int) {
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                sent.append((node, address, message))
                var source = addresses[node]
                if case .request(.dialProbe) = message.body {
                    source = Self.probeAddress(of: source)
                } else {
                    sentTo[node, default: []].insert(address)
                }
                guard let target = index(of: address) else { continue }
                push(now + latency, .deliver(message, from: source, to: target))
            case .scheduleTimeout(let transaction, let at):
                push(at, .timeout(transaction, node: node))
            case .scheduleTick(let at):
                ticks[node] = at
            case .providersFound(let operation, let providers):
                providersFound[node, default: [:]][operation, default: []].append((now, providers))
            case .completed(let operation, let result):
                completed[node, default: [:]][operation] = result
            }
        }
    }

    /// Delivers a message to `node` now, as if it came from `address`, and applies the answer.
    mutating func inject(_ message: KademliaMessage, from address: NodeAddress, to node: Int) {
        let directives = nodes[node].handleMessage(message, from: address, now: now)
        apply(directives, from: node)
    }

    /// Runs the next event; false when there is none.
    @discardableResult
    mutating func step() -> Bool {
        guard let next = queue.indices.min(by: { (queue[$0].at, queue[$0].sequence) < (queue[$1].at, queue[$1].sequence) }) else {
            return false
        }
        let event = queue.remove(at: next)
        now = max(now, event.at)
        switch event.event {
        case .deliver(let message, let from, let to):
            guard !silent.contains(to) else { return true }
            if filtered.contains(to), !(sentTo[to]?.contains(from) ?? false) {
                filteredOut[to, default: 0] += 1
                return true
            }
            apply(nodes[to].handleMessage(message, from: from, now: now), from: to)
        case .timeout(let transaction, let node):
            guard !silent.contains(node) else { return true }
            apply(nodes[node].handleTimeout(transaction, now: now), from: node)
        }
        return true
    }

    /// Runs events until none is left (timeouts of answered requests included).
    mutating func runUntilIdle(maxEvents: Int = 1_000_000) {
        var events = 0
        while events < maxEvents, step() { events += 1 }
        precondition(events < maxEvents, "the network did not go idle")
    }

    /// Runs only the events due at or before `instant`, then sets the clock to it.
    mutating func run(until instant: DHTInstant) {
        while let next = queue.min(by: { ($0.at, $0.sequence) < ($1.at, $1.sequence) }), next.at <= instant {
            step()
        }
        now = max(now, instant)
    }

    /// Runs events and the ticks the nodes asked for, in time order, until `instant`.
    mutating func runWithTicks(until instant: DHTInstant) {
        while true {
            let nextEvent = queue.min(by: { ($0.at, $0.sequence) < ($1.at, $1.sequence) })?.at
            let nextTick = ticks.filter { !silent.contains($0.key) }.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })
            let eventFirst = nextEvent.map { event in nextTick.map { event <= $0.value } ?? true } ?? false
            if eventFirst, let at = nextEvent, at <= instant {
                step()
            } else if let (node, at) = nextTick, at <= instant {
                ticks[node] = nil
                now = max(now, at)
                apply(nodes[node].tick(now: now), from: node)
            } else {
                break
            }
        }
        now = max(now, instant)
    }

    /// Where a node's `DIAL_PROBE`s come from: its IP, another port.
    static func probeAddress(of address: NodeAddress) -> NodeAddress {
        NodeAddress(host: address.host, port: address.port &+ 10_000)
    }

    /// The pending events (for assertions on scheduled timeouts).
    var pendingEventCount: Int { queue.count }

    /// The result of `operation` on `node`, once completed.
    func result(_ node: Int, _ operation: OperationID) -> OperationResult? {
        completed[node]?[operation]
    }

    private mutating func push(_ at: DHTInstant, _ event: Event) {
        sequence += 1
        queue.append(Scheduled(at: at, sequence: sequence, event: event))
    }
}

extension OperationResult {
    /// The lookup result of a lookup operation.
    var lookup: LookupResult? {
        if case .lookup(let result) = self { return result }
        return nil
    }
}

extension TestNetwork {
    /// `count` nodes with random IDs; node 0 starts alone, every other node bootstraps from node 0's address
    /// only, one after another, each join run to the end.
    static func bootstrapped(count: Int, configuration: KademliaConfiguration = KademliaConfiguration(), seed: UInt64) -> TestNetwork {
        var network = TestNetwork()
        var random = SeededRandom(seed: seed)
        for index in 0..<count {
            network.addNode(id: NodeID.random(using: &random), configuration: configuration, seed: random.next())
            guard index > 0 else { continue }
            let seedAddress = network.addresses[0]
            network.command(index) { $0.bootstrap(from: [seedAddress], now: $1) }
            network.runUntilIdle()
        }
        return network
    }

    /// The IDs of every node but `node`, closest to `target` first.
    func trueClosest(to target: NodeID, count: Int, excluding node: Int) -> [NodeID] {
        TestIDs.bruteForceClosest(to: target, among: nodes.indices.filter { $0 != node }.map { nodes[$0].localID }, count: count)
    }
}

extension KademliaConfiguration {
    /// The defaults with k = `k` (bucket size and lookup result size).
    static func withK(_ k: Int) -> KademliaConfiguration {
        var configuration = KademliaConfiguration()
        configuration.routingTable.bucketSize = k
        configuration.lookup.resultSize = k
        return configuration
    }
}

extension Array where Element == KademliaDirective {
    /// The messages to send, in order.
    var sends: [(message: KademliaMessage, to: NodeAddress)] {
        compactMap { if case .send(let message, let address) = $0 { return (message, address) } else { return nil } }
    }

    /// The timeouts asked for, in order.
    var timeouts: [(TransactionID, DHTInstant)] {
        compactMap { if case .scheduleTimeout(let id, let at) = $0 { return (id, at) } else { return nil } }
    }

    /// The operations completed, in order.
    var completions: [(OperationID, OperationResult)] {
        compactMap { if case .completed(let id, let result) = $0 { return (id, result) } else { return nil } }
    }

    /// The ticks asked for, in order.
    var ticks: [DHTInstant] {
        compactMap { if case .scheduleTick(let at) = $0 { return at } else { return nil } }
    }
}

extension KademliaMessage {
    var request: KademliaRequest? {
        if case .request(let request) = body { return request }
        return nil
    }

    var response: KademliaResponse? {
        if case .response(let response) = body { return response }
        return nil
    }
}

/// Mutable records for tests: `"R"`, the routing key (standing in for a signature over it), an 8-byte sequence and a
/// 4-byte validity in seconds, all big-endian. A record whose embedded key differs is "forged"; validity 0 is
/// "expired".
struct TestRecordValidator: MutableRecordValidator {
    static func record(_ routingKey: [UInt8], sequence: UInt64, validFor seconds: UInt32 = 3600, signedFor signer: [UInt8]? = nil) -> MutableRecord {
        var bytes: [UInt8] = [0x52, UInt8((signer ?? routingKey).count)] + (signer ?? routingKey)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: sequence >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: seconds >> UInt32(shift))) }
        return MutableRecord(routingKey: routingKey, bytes: bytes)
    }

    func validate(_ record: MutableRecord) -> MutableRecordVerdict {
        let bytes = record.bytes
        guard bytes.count >= 2, bytes[0] == 0x52 else { return .invalid(reason: "malformed") }
        let keyLength = Int(bytes[1])
        guard bytes.count == 2 + keyLength + 12 else { return .invalid(reason: "malformed") }
        guard Array(bytes[2..<(2 + keyLength)]) == record.routingKey else { return .invalid(reason: "bad_signature") }
        let sequence = bytes[(2 + keyLength)..<(10 + keyLength)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let seconds = bytes[(10 + keyLength)...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard seconds > 0 else { return .invalid(reason: "expired") }
        return .valid(MutableRecordRank(sequence: sequence, validFor: .seconds(Int64(seconds))))
    }
}

extension OperationResult {
    /// The resolution of a GET_RECORD operation.
    var resolution: RecordResolution? {
        if case .resolved(let resolution) = self { return resolution }
        return nil
    }

    /// `(accepted, asked)` of a publishing operation.
    var publication: (accepted: Int, asked: Int)? {
        if case .published(_, let accepted, let asked) = self { return (accepted, asked) }
        return nil
    }
}
