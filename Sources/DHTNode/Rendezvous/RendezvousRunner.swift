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
/// - Once a second (and at each scheduled tick) members whose connection closed are reported as disconnected.
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

    /// Runs until the task is cancelled.
    /// `warmUpBytes`: the `PADDING` sent to each new member (``ContentConfiguration/memberWarmUpBytes``).
    func run(node: Node, exchange: ExchangeNode<AnyContentStore>, store: any ContentStore, warmUpBytes: Int) async {
        var instance = RendezvousInstance(
            configuration: configuration,
            localID: node.id,
            seed: .random(in: .min ... .max)
        )
        var wake = Self.unixMilliseconds()
        var contacts: [NodeID: Contact] = [:]
        while !Task.isCancelled {
            let now = Self.unixMilliseconds()
            var directives = now >= wake ? instance.tick(now: now) : []
            for member in instance.members where !(await exchange.isConnected(ExchangePeer(member))) {
                directives += instance.disconnected(member)
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
                                node.logger.debug("cannot provide the session block", metadata: ["window": "\(window)"])
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
                        wake = at
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
                        next += ok ? instance.connected(id) : instance.connectFailed(id, now: Self.unixMilliseconds())
                        if ok { await exchange.warmUp(ExchangePeer(id), byteCount: warmUpBytes) }
                    }
                }
                directives = next
            }
            contacts = contacts.filter { instance.members.contains($0.key) || instance.connecting.contains($0.key) }
            let snapshot = contacts.filter { instance.members.contains($0.key) }
            members.withLock { $0 = snapshot }
            membersGauge.record(snapshot.count)
            let sleep = max(1, min(wake - Self.unixMilliseconds(), 1000))
            try? await Task.sleep(for: .milliseconds(sleep))
        }
    }
}
