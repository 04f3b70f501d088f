import Kademlia

/// The session rendezvous as a sans-I/O state machine: which session blocks to provide, when to look up their
/// providers, and which members to connect to (docs/PROTOCOL.md, "Session rendezvous").
///
/// Time is Unix time in milliseconds, passed in: every member must agree on the window number, so this is wall
/// time, not a monotonic clock. Randomness (when in a window to search) comes from the seed.
///
/// Rules:
/// - Each window's block is provided once, from `lead` seconds before the window starts (so records are in place
///   when members search right after the boundary); the current window's block is provided at start too.
/// - Once per window, at a random moment in its first ``RendezvousConfiguration/lookupSpread``, the providers of
///   the current window's block and of the previous one (clock skew between members) are looked up.
/// - Found providers that are not members yet become candidates, the ones with the lowest known RTT first (unknown
///   RTTs last); candidates are connected to while fewer than ``RendezvousConfiguration/maxMembers`` members are
///   connected or being connected. A member whose connection fails is not tried again in that window.
public struct RendezvousInstance: Sendable {
    /// The rules.
    public let configuration: RendezvousConfiguration
    /// This node's ID (never a candidate).
    public let localID: NodeID

    /// Members connected through the rendezvous.
    public private(set) var members: Set<NodeID> = []
    /// Members being connected to.
    public private(set) var connecting: Set<NodeID> = []

    private var provided: Set<Int64> = []
    private var searchedWindow: Int64?
    private var searchAt: Int64?
    private var failedThisWindow: Set<NodeID> = []
    private var candidates: [NodeID: (contact: Contact, rtt: Duration?)] = [:]
    private var random: SeededRandom

    /// An instance for `localID`; `seed` decides when in each window it searches.
    public init(configuration: RendezvousConfiguration, localID: NodeID, seed: UInt64) {
        self.configuration = configuration
        self.localID = localID
        self.random = SeededRandom(seed: seed)
    }

    private var length: Int64 { configuration.windowSeconds }

    /// The window containing `now` (Unix milliseconds).
    public func window(at now: Int64) -> SessionWindow {
        SessionWindow(containing: Self.seconds(now), length: length, swarm: configuration.swarm)
    }

    /// Unix milliseconds → whole seconds, rounding down.
    static func seconds(_ milliseconds: Int64) -> Int64 {
        milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
    }

    /// Runs the schedule: provides what is due, searches when due, schedules the next tick.
    public mutating func tick(now: Int64) -> [RendezvousDirective] {
        var directives: [RendezvousDirective] = []
        let current = window(at: now)
        if provided.insert(current.start).inserted { directives.append(.provide(current)) }
        let next = current.advanced(by: 1, length: length)
        let nextAnnounce = (next.start - configuration.leadSeconds) * 1000
        if now >= nextAnnounce, provided.insert(next.start).inserted { directives.append(.provide(next)) }
        // Forget windows long past (the set stays a few entries).
        provided = provided.filter { $0 >= current.start - length }

        if searchedWindow != current.start {
            if searchAt == nil || searchAt! < current.start * 1000 {
                let spread = Int64(Double(length * 1000) * configuration.lookupSpread)
                let offset = spread > 0 ? Int64(random.next() % UInt64(spread)) : 0
                // The very first search of a node runs at once: a node that just started wants members now.
                searchAt = searchedWindow == nil ? now : current.start * 1000 + offset
                failedThisWindow = []
            }
            if now >= searchAt! {
                searchedWindow = current.start
                directives.append(.findProviders(current))
                directives.append(.findProviders(current.advanced(by: -1, length: length)))
            }
        }

        var wake = next.start * 1000
        if now < nextAnnounce { wake = min(wake, nextAnnounce) }
        if searchedWindow != current.start, let searchAt { wake = min(wake, max(searchAt, now + 1)) }
        directives.append(.scheduleTick(atUnixMilliseconds: wake))
        return directives
    }

    /// The providers of `window`'s session block, with the RTT the shell knows for each (`nil`: unknown).
    public mutating func providersFound(
        _ providers: [(contact: Contact, rtt: Duration?)],
        for window: SessionWindow,
        now: Int64
    ) -> [RendezvousDirective] {
        for provider in providers {
            let id = provider.contact.id
            guard id != localID, !members.contains(id), !connecting.contains(id), !failedThisWindow.contains(id)
            else { continue }
            candidates[id] = provider
        }
        return connectCandidates()
    }

    /// A member's connection is open (also when the member connected to us and the shell learnt it is one).
    public mutating func connected(_ id: NodeID, rtt: Duration? = nil) -> [RendezvousDirective] {
        connecting.remove(id)
        candidates.removeValue(forKey: id)
        members.insert(id)
        return []
    }

    /// A connection attempt failed: the member is not tried again this window; another candidate may be.
    public mutating func connectFailed(_ id: NodeID, now: Int64) -> [RendezvousDirective] {
        connecting.remove(id)
        failedThisWindow.insert(id)
        return connectCandidates()
    }

    /// A member's connection closed: its slot frees for a candidate (found again at the next search).
    public mutating func disconnected(_ id: NodeID) -> [RendezvousDirective] {
        members.remove(id)
        connecting.remove(id)
        return connectCandidates()
    }

    private mutating func connectCandidates() -> [RendezvousDirective] {
        var directives: [RendezvousDirective] = []
        let ordered = candidates.values.sorted { lhs, rhs in
            switch (lhs.rtt, rhs.rtt) {
            case (let l?, let r?): l != r ? l < r : lhs.contact.id < rhs.contact.id
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): lhs.contact.id < rhs.contact.id
            }
        }
        for candidate in ordered where members.count + connecting.count < configuration.maxMembers {
            candidates.removeValue(forKey: candidate.contact.id)
            connecting.insert(candidate.contact.id)
            directives.append(.connect(candidate.contact))
        }
        return directives
    }
}
