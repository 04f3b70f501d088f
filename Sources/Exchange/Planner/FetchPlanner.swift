/// The orchestration of one fetch as a state machine: which sources it draws from and when. Peers found in the DHT,
/// connections and HTTP sources come in as events; searches, connections, sources joining or leaving the fetch,
/// giving up, and the next deadline come out as directives. It reads no clock and starts nothing itself: the shell
/// (`Node`'s fetch) carries the directives out and passes `now`.
///
/// The exchange (``ExchangeInstance``) decides which block to ask of which source; the planner decides which
/// sources take part:
/// - the DHT is asked for providers at the start and again every
///   ``FetchPlannerConfiguration/providerSearchInterval`` while the fetch runs; each provider heard of is connected
///   to (at most ``FetchPlannerConfiguration/maxProviderConnections`` at once) and joins the fetch once connected;
///   providers heard of while every connection slot is taken wait (at most
///   ``FetchPlannerConfiguration/maxWaitingProviders``), and a slot that frees goes to the best of them by
///   ``SourceRank`` (same network first, then the quickest by measured round trip and rate, ``Event/measured(_:_:)``);
/// - HTTP sources join and leave by the ``OriginPolicy``;
/// - a fetch that received no block for ``FetchPlannerConfiguration/unavailableTimeout`` gives up.
///
/// Progress is read at the planner's own deadlines (``Event/deadline(_:)``), not sampled on a period: the next
/// deadline is the earliest of the next search, the give-up instant, and the policy's instant.
public struct FetchPlanner<Provider: Hashable & Sendable>: Sendable {
    /// Blocks a fetch received so far, in all and from peers (not from HTTP sources).
    public struct Progress: Hashable, Sendable {
        /// Blocks received from every source.
        public var blocks: UInt64
        /// Of those, blocks received from peers.
        public var peerBlocks: UInt64

        /// Creates a reading.
        public init(blocks: UInt64, peerBlocks: UInt64) {
            self.blocks = blocks
            self.peerBlocks = peerBlocks
        }
    }

    /// What happened.
    public enum Event: Hashable, Sendable {
        /// A provider search heard of this provider.
        case providerFound(Provider)
        /// What is known of a provider: its network, round trip, rate (before or after it was found; the latest
        /// replaces the earlier).
        case measured(Provider, SourceRank)
        /// The provider search ended.
        case searchEnded
        /// A connection to the provider is up.
        case connected(Provider)
        /// The provider could not be connected to. A later search that finds it again connects to it again, at most
        /// ``FetchPlannerConfiguration/maxReconnectsPerProvider`` times.
        case connectFailed(Provider)
        /// The connection to a provider closed while the fetch ran (a relay cut its circuit, the provider
        /// restarted): it is connected to again, at most
        /// ``FetchPlannerConfiguration/maxReconnectsPerProvider`` times.
        case disconnected(Provider)
        /// HTTP source number `index` failed for good (it sent wrong bytes, or its requests kept failing).
        case sourceFailed(Int)
        /// The deadline the planner asked for came; the fetch's progress now.
        case deadline(Progress)
    }

    /// What to do.
    public enum Directive: Hashable, Sendable {
        /// Look up the providers of the fetch's root; report each with ``Event/providerFound(_:)`` and the end with
        /// ``Event/searchEnded``.
        case searchProviders
        /// Connect to the provider; report ``Event/connected(_:)`` or ``Event/connectFailed(_:)``.
        case connect(Provider)
        /// Add the connected provider to the fetch.
        case addProvider(Provider)
        /// Add HTTP source number `index` to the fetch.
        case addSource(Int)
        /// Take HTTP source number `index` out of the fetch (its requests go to the others).
        case removeSource(Int)
        /// Read all of origin number `index` (a source that serves the file's bytes), chunk it as an import would,
        /// and use its blocks only if they make the fetch's root: no other source gave the DAG's nodes, which an
        /// origin cannot serve by range.
        case readWholeOrigin(Int)
        /// End the fetch: nothing arrived for ``FetchPlannerConfiguration/unavailableTimeout``.
        case giveUp
        /// Report ``Event/deadline(_:)`` at this instant (a later directive replaces an earlier one).
        case wake(at: ExchangeInstant)
    }

    private enum SourceState: Hashable, Sendable {
        case idle, active, left, failed
    }

    /// The timings.
    public let configuration: FetchPlannerConfiguration
    private var sources: [SourceState]
    private var known: Set<Provider> = []
    /// Providers heard of while every connection slot was taken, in the order heard.
    private var waiting: [Provider] = []
    /// The latest ranks of providers not connected yet: waiting, or measured before they were heard of (at most
    /// ``FetchPlannerConfiguration/maxWaitingProviders`` + ``FetchPlannerConfiguration/maxProviderConnections``).
    private var ranks: [Provider: SourceRank] = [:]
    private var connecting = 0
    /// Connections tried again so far, by provider (after a failed connect or a closed connection).
    private var reconnects: [Provider: Int] = [:]
    private var searching = false
    private var searches = 0
    private var providersFound = 0
    private var nextSearch: ExchangeInstant?
    private var lastProgress: Progress = Progress(blocks: 0, peerBlocks: 0)
    private var lastProgressAt: ExchangeInstant
    private var nextReview: ExchangeInstant?
    private var finished = false
    /// The sources that are origins (they serve the file's bytes, not its DAG's nodes).
    private let origins: Set<Int>
    /// When the HTTP sources joined, for the whole-origin read.
    private var sourcesJoinedAt: ExchangeInstant?
    private var readWhole = false

    /// A planner for a fetch with `sourceCount` HTTP sources, numbered from 0, of which `origins` are origins,
    /// starting at `now`.
    public init(configuration: FetchPlannerConfiguration, sourceCount: Int, origins: Set<Int> = [], now: ExchangeInstant) {
        self.configuration = configuration
        self.sources = Array(repeating: .idle, count: sourceCount)
        self.origins = origins
        self.lastProgressAt = now
    }

    /// Whether the planner gave up.
    public var hasGivenUp: Bool { finished }

    /// HTTP sources taking part in the fetch now.
    public var activeSources: [Int] { sources.indices.filter { sources[$0] == .active } }

    /// The first directives of the fetch.
    public mutating func start(now: ExchangeInstant) -> [Directive] {
        var directives: [Directive] = []
        if configuration.searchesProviders {
            searching = true
            searches = 1
            directives.append(.searchProviders)
        }
        switch configuration.originPolicy {
        case .fallback:
            if !configuration.searchesProviders { addSources(now: now, into: &directives) }
        case .prefetch, .headStart:
            addSources(now: now, into: &directives)
            nextReview = now + configuration.prefetchDuration
        case .mixed:
            addSources(now: now, into: &directives)
        }
        directives.append(.wake(at: nextDeadline(now: now)))
        return directives
    }

    /// Takes an event; returns what to do.
    public mutating func handle(_ event: Event, now: ExchangeInstant) -> [Directive] {
        guard !finished else { return [] }
        var directives: [Directive] = []
        switch event {
        case .providerFound(let provider):
            providersFound += 1
            guard !known.contains(provider), !waiting.contains(provider) else { break }
            if connecting < configuration.maxProviderConnections {
                known.insert(provider)
                ranks[provider] = nil
                connecting += 1
                directives.append(.connect(provider))
            } else if waiting.count < configuration.maxWaitingProviders {
                waiting.append(provider)
            } else if let worst = worstWaiting(), rank(of: provider).isBetter(than: rank(of: waiting[worst])) {
                // A full waiting list keeps the best: a provider in the same network displaces a distant one.
                ranks[waiting[worst]] = nil
                waiting[worst] = provider
            } else {
                ranks[provider] = nil
            }
        case .measured(let provider, let rank):
            // Ranks are kept for providers not connected yet: those waiting, and those about to be heard of.
            guard !known.contains(provider) else { break }
            if ranks[provider] != nil || waiting.contains(provider)
                || ranks.count < configuration.maxWaitingProviders + configuration.maxProviderConnections
            {
                ranks[provider] = rank
            }
        case .connected(let provider):
            connecting = max(0, connecting - 1)
            directives.append(.addProvider(provider))
            connectBestWaiting(into: &directives)
        case .connectFailed(let provider):
            connecting = max(0, connecting - 1)
            if reconnects[provider, default: 0] < configuration.maxReconnectsPerProvider {
                // A relay that refused once, a handshake cut short: the next search may bring it back.
                reconnects[provider, default: 0] += 1
                known.remove(provider)
            }
            connectBestWaiting(into: &directives)
        case .disconnected(let provider):
            guard known.contains(provider), reconnects[provider, default: 0] < configuration.maxReconnectsPerProvider
            else { break }
            reconnects[provider, default: 0] += 1
            if connecting < configuration.maxProviderConnections {
                connecting += 1
                directives.append(.connect(provider))
            } else {
                // It waits for a slot as one newly heard of would.
                known.remove(provider)
                if waiting.count < configuration.maxWaitingProviders { waiting.append(provider) }
            }
        case .searchEnded:
            searching = false
            nextSearch = now + configuration.providerSearchInterval
            // Nobody to ask: the HTTP sources need not wait for the fallback delay.
            if configuration.originPolicy == .fallback, searches == 1, providersFound == 0 {
                addSources(now: now, into: &directives)
            }
            directives.append(.wake(at: nextDeadline(now: now)))
        case .sourceFailed(let index):
            if sources.indices.contains(index) { sources[index] = .failed }
        case .deadline(let progress):
            review(progress, now: now, into: &directives)
        }
        return directives
    }

    private mutating func review(_ progress: Progress, now: ExchangeInstant, into directives: inout [Directive]) {
        if progress.blocks != lastProgress.blocks { lastProgressAt = now }
        lastProgress = progress
        // No block at all, not even the root, since the HTTP sources joined: if origins are among them, no source
        // serves the DAG's nodes; read an origin whole and check it against the root instead.
        if !readWhole, progress.blocks == 0, let joined = sourcesJoinedAt, now >= joined + configuration.fallbackDelay,
            let origin = origins.sorted().first(where: { sources[$0] == .active })
        {
            readWhole = true
            directives.append(.readWholeOrigin(origin))
        }
        if now >= lastProgressAt + configuration.unavailableTimeout {
            finished = true
            directives.append(.giveUp)
            return
        }
        switch configuration.originPolicy {
        case .fallback:
            if now >= lastProgressAt + configuration.fallbackDelay { addSources(now: now, into: &directives) }
        case .prefetch:
            if let review = nextReview, now >= review {
                nextReview = nil
                if progress.peerBlocks > 0 { removeSources(into: &directives) }
            }
        case .headStart:
            if let review = nextReview, now >= review {
                let httpBlocks = progress.blocks - progress.peerBlocks
                if progress.peerBlocks > httpBlocks {
                    nextReview = nil
                    removeSources(into: &directives)
                } else {
                    nextReview = now + configuration.prefetchDuration
                }
            }
        case .mixed:
            break
        }
        if configuration.searchesProviders, !searching, let next = nextSearch, now >= next {
            searching = true
            searches += 1
            nextSearch = nil
            directives.append(.searchProviders)
        }
        directives.append(.wake(at: nextDeadline(now: now)))
    }

    /// The rank of `provider`: its latest ``Event/measured(_:_:)``, or nothing known.
    private func rank(of provider: Provider) -> SourceRank { ranks[provider] ?? SourceRank() }

    /// The index of the waiting provider ranked last (the later heard of among equals).
    private func worstWaiting() -> Int? {
        var worst: Int?
        for index in waiting.indices {
            guard let current = worst else {
                worst = index
                continue
            }
            if !rank(of: waiting[index]).isBetter(than: rank(of: waiting[current])) { worst = index }
        }
        return worst
    }

    /// Connects the best waiting providers while slots are free (the earlier heard of among equals).
    private mutating func connectBestWaiting(into directives: inout [Directive]) {
        while connecting < configuration.maxProviderConnections, !waiting.isEmpty {
            var best = 0
            for index in waiting.indices.dropFirst() where rank(of: waiting[index]).isBetter(than: rank(of: waiting[best])) {
                best = index
            }
            let provider = waiting.remove(at: best)
            ranks[provider] = nil
            known.insert(provider)
            connecting += 1
            directives.append(.connect(provider))
        }
    }

    private mutating func addSources(now: ExchangeInstant, into directives: inout [Directive]) {
        if sources.contains(.idle), sourcesJoinedAt == nil { sourcesJoinedAt = now }
        for index in sources.indices where sources[index] == .idle {
            sources[index] = .active
            directives.append(.addSource(index))
        }
    }

    private mutating func removeSources(into directives: inout [Directive]) {
        for index in sources.indices where sources[index] == .active {
            sources[index] = .left
            directives.append(.removeSource(index))
        }
    }

    /// The earliest instant something may change: giving up, the policy's instant, the next search.
    private func nextDeadline(now: ExchangeInstant) -> ExchangeInstant {
        var deadline = lastProgressAt + configuration.unavailableTimeout
        if configuration.originPolicy == .fallback, sources.contains(.idle) {
            deadline = min(deadline, lastProgressAt + configuration.fallbackDelay)
        }
        if let review = nextReview { deadline = min(deadline, review) }
        if !readWhole, !origins.isEmpty, lastProgress.blocks == 0, let joined = sourcesJoinedAt {
            deadline = min(deadline, joined + configuration.fallbackDelay)
        }
        if let next = nextSearch, !searching { deadline = min(deadline, next) }
        return max(deadline, now)
    }
}
