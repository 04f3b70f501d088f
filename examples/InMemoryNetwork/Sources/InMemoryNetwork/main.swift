// Runs 64 Kademlia nodes in one process with no sockets: the smallest possible "shell" for the sans-I/O core.
//
// Each node is a `KademliaInstance` (a value). `Shell` is all a shell does: it delivers `.send` directives after
// a fixed latency, fires `.scheduleTimeout` and `.scheduleTick` at their instants (a node's later tick replacing
// its earlier one), and reports `.completed`
// operations. A UDP daemon does the same with a socket and a real clock.
import Kademlia

struct Shell {
    struct Event {
        enum Kind {
            case deliver(KademliaMessage, from: NodeAddress)
            case timeout(TransactionID)
            case tick
        }

        var time: DHTInstant
        var order: Int
        var node: Int
        var kind: Kind
    }

    var nodes: [KademliaInstance] = []
    var queue: [Event] = []
    var order = 0
    var now = DHTInstant.zero
    let latency: Duration = .milliseconds(25)

    func address(of node: Int) -> NodeAddress { NodeAddress(ipv4: 0x7f00_0001, port: UInt16(40_000 + node)) }

    func node(at address: NodeAddress) -> Int? {
        let index = Int(address.port) - 40_000
        return nodes.indices.contains(index) ? index : nil
    }

    mutating func add(_ instance: KademliaInstance) {
        nodes.append(instance)
        _ = carryOut(instance.start(now: now), from: nodes.count - 1)
    }

    /// Starts an operation on `node` with `command`, then runs events until it completes.
    mutating func run(on node: Int, _ command: (inout KademliaInstance, DHTInstant) -> (OperationID, [KademliaDirective])) -> OperationResult? {
        let (operation, directives) = command(&nodes[node], now)
        if let result = carryOut(directives, from: node).first(where: { $0.0 == operation })?.1 { return result }
        while !queue.isEmpty {
            let next = queue.indices.min { (queue[$0].time, queue[$0].order) < (queue[$1].time, queue[$1].order) }!
            let event = queue.remove(at: next)
            now = event.time
            let produced: [KademliaDirective]
            switch event.kind {
            case .deliver(let message, let from): produced = nodes[event.node].handleMessage(message, from: from, now: now)
            case .timeout(let transaction): produced = nodes[event.node].handleTimeout(transaction, now: now)
            case .tick: produced = nodes[event.node].tick(now: now)
            }
            for (id, result) in carryOut(produced, from: event.node) where id == operation && event.node == node {
                return result
            }
        }
        return nil
    }

    /// Carries out what a node asked for; returns the operations that completed.
    private mutating func carryOut(_ directives: [KademliaDirective], from source: Int) -> [(OperationID, OperationResult)] {
        var completed: [(OperationID, OperationResult)] = []
        for directive in directives {
            switch directive {
            case .send(let message, let to):
                if let destination = node(at: to) {
                    schedule(.deliver(message, from: address(of: source)), for: destination, at: now + latency)
                }
            case .scheduleTimeout(let transaction, let at):
                schedule(.timeout(transaction), for: source, at: at)
            case .scheduleTick(let at):
                // A node has one maintenance timer: a new request replaces the one before it.
                queue.removeAll { event in
                    if case .tick = event.kind { return event.node == source }
                    return false
                }
                schedule(.tick, for: source, at: at)
            case .providersFound:
                break  // a provider search reports providers early; this example waits for the result
            case .completed(let id, let result):
                completed.append((id, result))
            }
        }
        return completed
    }

    private mutating func schedule(_ kind: Event.Kind, for node: Int, at time: DHTInstant) {
        order += 1
        queue.append(Event(time: time, order: order, node: node, kind: kind))
    }
}

// Loopback addresses would all share one /24, so the public-network IP-diversity limit is turned off here.
var configuration = KademliaConfiguration()
configuration.routingTable.ipDiversity = nil
var random = SeededRandom(seed: 2026)
var shell = Shell()

// Each node joins through node 0, one after the other.
for index in 0..<64 {
    shell.add(KademliaInstance(localID: NodeID.random(using: &random), configuration: configuration, seed: random.next(), now: shell.now))
    guard index > 0 else { continue }
    let seed = shell.address(of: 0)
    _ = shell.run(on: index) { $0.bootstrap(from: [seed], now: $1) }
}
print("64 nodes joined; node 5 knows \(shell.nodes[5].routingTable.count) contacts")

// Node 7 stores a value; node 42 finds it.
let key = NodeID.random(using: &random)
if case .published(_, let accepted, let asked)? = shell.run(on: 7, { $0.put(key, value: Array("hello from node 7".utf8), now: $1) }) {
    print("stored on \(accepted) of the \(asked) nodes closest to the key")
}
if case .lookup(let result)? = shell.run(on: 42, { $0.findValue(key, now: $1) }), let value = result.values.first {
    print("node 42 found \"\(String(decoding: value.data, as: UTF8.self))\" after \(result.messagesSent) requests, \(result.hops) hop(s)")
}

// A FIND_NODE from node 3: the k closest nodes to a random ID.
let target = NodeID.random(using: &random)
if case .lookup(let result)? = shell.run(on: 3, { $0.findNode(target, now: $1) }) {
    print("node 3 found the \(result.closest.count) closest to \(target): \(result.outcome), \(result.messagesSent) requests")
}
