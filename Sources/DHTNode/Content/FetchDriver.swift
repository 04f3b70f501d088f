import Blocks
import Exchange
import Kademlia
import Logging

/// Runs one fetch's ``Exchange/FetchPlanner``: carries out its directives (provider searches in the DHT,
/// connections, HTTP sources joining and leaving, giving up) and turns what happens into its events. It waits on
/// events and on the planner's own deadline only: nothing here looks at the fetch on a period.
struct FetchDriver {
    typealias Planner = FetchPlanner<Contact>

    let node: Node
    let root: CID
    /// The DHT key whose providers are searched (`nil`: none is).
    let key: RecordKey?
    let fetch: ExchangeFetch
    let exchange: ExchangeNode<AnyContentStore>
    let configuration: FetchPlannerConfiguration
    /// The fetch's HTTP sources, attached to the exchange, in the planner's numbering.
    let sources: [ExchangePeer]
    /// The same sources as given (to read an origin whole).
    let httpSources: [HTTPSource]

    private enum Input: Sendable {
        case event(Planner.Event)
        /// A connection closed: the providers connected through it are told to the planner.
        case peerDisconnected(ExchangePeer)
        case ended
    }

    /// Runs until the fetch ends (or gives up).
    func run() async {
        let clock = ContinuousClock()
        let origin = clock.now
        @Sendable func now() -> ExchangeInstant {
            let elapsed = origin.duration(to: clock.now).components
            return ExchangeInstant(nanoseconds: elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        let (inputs, sink) = AsyncStream<Input>.makeStream()
        var planner = Planner(
            configuration: configuration, sourceCount: sources.count,
            origins: Set(httpSources.indices.filter { httpSources[$0].kind == .origin }), now: now())
        var tasks: [Task<Void, Never>] = []
        // For the log line of a fetch that gives up: what it found and could not reach.
        var providersHeard = 0
        var connectFailures = 0
        var wake: Task<Void, Never>?
        let ending = Task {
            await exchange.finished(fetch.id)
            sink.yield(.ended)
        }
        let sourceSet = Set(sources)

        /// Carries out `directives`; false once the fetch gave up.
        func carryOut(_ directives: [Planner.Directive]) async -> Bool {
            for directive in directives {
                switch directive {
                case .searchProviders:
                    guard let key else { continue }
                    let found = node.providerStream(of: key)
                    let own = node.id
                    let locality = node.networkLocality
                    tasks.append(
                        Task {
                            do {
                                for try await contact in found where contact.id != own {
                                    // Ranked before it is heard of: its network and the DHT's round trip to it.
                                    let rank = SourceRank(
                                        sameNetwork: locality.contains(contact.address),
                                        roundTrip: await node.roundTripEstimate(of: contact.id))
                                    sink.yield(.event(.measured(contact, rank)))
                                    sink.yield(.event(.providerFound(contact)))
                                }
                            } catch {
                                node.logger.debug("provider search failed", metadata: ["error": "\(error)"])
                            }
                            sink.yield(.event(.searchEnded))
                        })
                case .connect(let contact):
                    tasks.append(
                        Task {
                            do {
                                // Through its relay when the provider is behind a NAT.
                                try await node.connect(to: contact)
                                sink.yield(.event(.connected(contact)))
                            } catch {
                                node.logger.debug(
                                    "cannot connect to provider", metadata: ["provider": "\(contact)", "error": "\(error)"])
                                sink.yield(.event(.connectFailed(contact)))
                            }
                        })
                case .addProvider(let contact):
                    await exchange.addProvider(ExchangePeer(contact.id), to: fetch.id)
                case .addSource(let index):
                    await exchange.addProvider(sources[index], to: fetch.id)
                case .removeSource(let index):
                    await exchange.removeProvider(sources[index], from: fetch.id)
                case .readWholeOrigin(let index):
                    let source = httpSources[index]
                    let peer = sources[index]
                    let root = root
                    tasks.append(
                        Task {
                            do {
                                let blocks = try await source.readWhole(expecting: root)
                                for block in blocks { await exchange.receivedFromSource(block, from: peer) }
                            } catch {
                                node.logger.warning(
                                    "origin not used", metadata: ["origin": "\(source.baseURL)", "error": "\(error)"])
                                sink.yield(.event(.sourceFailed(index)))
                            }
                        })
                case .giveUp:
                    let delivered = await exchange.progress(of: fetch.id)?.bytesDelivered ?? 0
                    node.logger.info(
                        "fetch gave up",
                        metadata: [
                            "root": "\(root)", "bytes": "\(delivered)", "providers-found": "\(providersHeard)",
                            "connects-failed": "\(connectFailures)",
                        ])
                    await exchange.abandon(
                        fetch.id,
                        throwing: NodeError.contentUnavailable(root.description, bytesDelivered: delivered))
                    return false
                case .wake(let instant):
                    wake?.cancel()
                    let delay = instant - now()
                    wake = Task {
                        if delay > .zero { try? await Task.sleep(for: delay) }
                        guard !Task.isCancelled else { return }
                        guard let statistics = await exchange.progress(of: fetch.id) else {
                            sink.yield(.ended)
                            return
                        }
                        let fromSources = statistics.peers.reduce(UInt64(0)) {
                            $0 + (sourceSet.contains($1.key) ? $1.value.blocks : 0)
                        }
                        let progress = Planner.Progress(
                            blocks: statistics.blocks, peerBlocks: statistics.blocks - min(statistics.blocks, fromSources))
                        sink.yield(.event(.deadline(progress)))
                    }
                }
            }
            return true
        }

        let disconnections = await exchange.disconnections()
        tasks.append(Task { for await peer in disconnections { sink.yield(.peerDisconnected(peer)) } })
        /// The providers connected, by peer (one peer may have been reached through each of its relays).
        var connected: [ExchangePeer: Set<Contact>] = [:]
        if await carryOut(planner.start(now: now())) {
            loop: for await input in inputs {
                switch input {
                case .ended:
                    break loop
                case .peerDisconnected(let peer):
                    for contact in (connected.removeValue(forKey: peer) ?? []).sorted(by: { $0.address.description < $1.address.description }) {
                        guard await carryOut(planner.handle(.disconnected(contact), now: now())) else { break loop }
                    }
                case .event(let event):
                    switch event {
                    case .connected(let contact): connected[ExchangePeer(contact.id), default: []].insert(contact)
                    case .providerFound: providersHeard += 1
                    case .connectFailed: connectFailures += 1
                    default: break
                    }
                    guard await carryOut(planner.handle(event, now: now())) else { break loop }
                }
            }
        }
        wake?.cancel()
        ending.cancel()
        for task in tasks { task.cancel() }
        sink.finish()
    }
}
