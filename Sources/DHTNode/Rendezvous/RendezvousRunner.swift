import Blocks
import Exchange
import Foundation
import Kademlia
import Metrics
import Rendezvous
import Synchronization

/// The shell of the session rendezvous: drives a ``Rendezvous/RendezvousInstance`` with the wall clock, the node's
/// store, its DHT operations and its exchange connections.
///
/// - `provide`: the session block goes into the store (so members can fetch it, like any block) and its CID is
///   provided in the DHT, in the background.
/// - `findProviders`: a GET_PROVIDERS lookup; each provider's RTT comes from the routing table when it is there.
/// - `connect`: exchange connections, opened concurrently; each outcome goes back to the core. A new member is sent
///   ``ContentConfiguration/memberWarmUpBytes`` of `PADDING` (``ExchangeNode/warmUp(_:byteCount:)``).
/// - A member whose connection closes is reported as disconnected when it closes (``ExchangeNode/disconnections()``).
final class RendezvousRunner: Sendable {
    let configuration: RendezvousConfiguration
    private let members = Mutex<[NodeID: Contact]>([:])
    private let membersGauge = Gauge(label: "rendezvous_members")

    init(configuration: RendezvousConfiguration) {
        self.configuration = configuration
    }

    /// The members connected through the rendezvous now.
    var currentMembers: [NodeID: Contact] { members.withLock { $0 } }

    static func unixMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// What wakes the runner: its core's tick came due, or a connection closed.
    private enum Input: Sendable {
        case tick
        case disconnected(ExchangePeer)
    }

    /// Runs until the task is cancelled. It waits for the core's next tick or for a closed connection, never on a
    /// period.
    /// `warmUpBytes`: the `PADDING` sent to each new member (``ContentConfiguration/memberWarmUpBytes``).
    func run(node: Node, exchange: ExchangeNode<AnyContentStore>, store: any ContentStore, warmUpBytes: Int) async {
        var instance = RendezvousInstance(
            configuration: configuration,
            localID: node.id,
            seed: .random(in: .min ... .max)
        )
        let (inputs, sink) = AsyncStream<Input>.makeStream()
        let closes = await exchange.disconnections()
        let watcher = Task {
            for await peer in closes { sink.yield(.disconnected(peer)) }
        }
        var timer: Task<Void, Never>?
        func arm(_ wake: Int64) {
            timer?.cancel()
            let delay = max(0, wake - Self.unixMilliseconds())
            timer = Task {
                try? await Task.sleep(for: .milliseconds(delay))
                if !Task.isCancelled { sink.yield(.tick) }
            }
        }
        var contacts: [NodeID: Contact] = [:]
        sink.yield(.tick)
        await withTaskCancellationHandler {
            for await input in inputs {
                guard !Task.isCancelled else { break }
                var directives: [RendezvousDirective]
                switch input {
                case .tick:
                    directives = instance.tick(now: Self.unixMilliseconds())
                case .disconnected(let peer):
                    directives = []
                    for member in instance.members where ExchangePeer(member) == peer {
                        directives += instance.disconnected(member)
                    }
                }
                while !directives.isEmpty {
                    var next: [RendezvousDirective] = []
                    var connects: [Contact] = []
                    for directive in directives {
                        switch directive {
                        case .provide(let window):
                            try? store.put(window.block)
                            Task {
                                do {
                                    try await node.provide(window.cid)
                                } catch {
                                    node.logger.debug(
                                        "cannot provide the session block", metadata: ["window": "\(window)"])
                                }
                            }
                        case .findProviders(let window):
                            let found = (try? await node.providers(of: RecordKey(providing: window.cid))) ?? []
                            let rtts = Dictionary(
                                ((try? await node.peers()) ?? []).map { ($0.contact.id, $0.roundTripTime) },
                                uniquingKeysWith: { first, _ in first }
                            )
                            next += instance.providersFound(
                                found.map { (contact: $0, rtt: rtts[$0.id] ?? nil) },
                                for: window,
                                now: Self.unixMilliseconds()
                            )
                        case .connect(let contact):
                            connects.append(contact)
                            contacts[contact.id] = contact
                        case .scheduleTick(let at):
                            arm(at)
                        }
                    }
                    if !connects.isEmpty {
                        let outcomes = await withTaskGroup(of: (NodeID, Bool).self) { group in
                            for contact in connects {
                                group.addTask {
                                    do {
                                        try await node.connect(to: contact)
                                        return (contact.id, true)
                                    } catch {
                                        node.logger.debug(
                                            "cannot connect to a session member",
                                            metadata: ["member": "\(contact)", "error": "\(error)"]
                                        )
                                        return (contact.id, false)
                                    }
                                }
                            }
                            var outcomes: [(NodeID, Bool)] = []
                            for await outcome in group { outcomes.append(outcome) }
                            return outcomes
                        }
                        for (id, ok) in outcomes {
                            next +=
                                ok ? instance.connected(id) : instance.connectFailed(id, now: Self.unixMilliseconds())
                            if ok { await exchange.warmUp(ExchangePeer(id), byteCount: warmUpBytes) }
                        }
                    }
                    directives = next
                }
                contacts = contacts.filter { instance.members.contains($0.key) || instance.connecting.contains($0.key) }
                let snapshot = contacts.filter { instance.members.contains($0.key) }
                members.withLock { $0 = snapshot }
                membersGauge.record(snapshot.count)
            }
        } onCancel: {
            sink.finish()
        }
        timer?.cancel()
        watcher.cancel()
    }
}
