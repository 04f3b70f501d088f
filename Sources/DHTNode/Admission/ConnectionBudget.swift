import DequeModule
import Kademlia

/// Which connections a listener keeps: a pure state machine fed with arrivals, completed handshakes (or request
/// heads) and closes, with `now` passed in. The shell closes what it is told to and arms each deadline it is given.
///
/// A pending connection holds a socket and buffers while it has proven nothing, so pending slots are what a flood
/// of silent or slow connections aims at. The budget keeps them for those who need them:
/// - a source or network at its pending share gives up its own oldest pending connection for its newest, so it
///   never displaces anyone else;
/// - when every pending slot is taken, the newcomer displaces the oldest pending connection of the network that
///   holds the most, so a network is displaced only by one that holds no more than it does;
/// - each connection gets a deadline to prove itself that shrinks as the slots fill;
/// - established connections are never displaced by pending ones; past the open-connection caps new connections
///   are refused.
public struct ConnectionBudget: Sendable {
    /// One admitted connection.
    public struct Ticket: Hashable, Sendable {
        let value: UInt64
    }

    /// Why a connection was refused.
    public enum Refusal: String, Sendable, CaseIterable {
        /// The listener holds ``ConnectionLimits/connections``.
        case listenerFull = "listener_full"
        /// The source holds ``ConnectionLimits/connectionsPerSource``.
        case sourceFull = "source_full"
        /// The network holds ``ConnectionLimits/connectionsPerNetwork``.
        case networkFull = "network_full"
    }

    /// Why a pending connection was displaced by a newer one.
    public enum Displacement: String, Sendable, CaseIterable {
        /// Its source held ``ConnectionLimits/pendingPerSource`` and sent another.
        case sourcePending = "source_pending"
        /// Its network held ``ConnectionLimits/pendingPerNetwork`` and sent another.
        case networkPending = "network_pending"
        /// Every pending slot was taken and its network held the most.
        case listenerPending = "listener_pending"
    }

    /// What to do with a new connection.
    public enum Admission: Sendable, Equatable {
        /// Keep it, close it if it is still pending at `deadline`, and close `displacing` (a pending connection that
        /// gave up its slot) if there is one.
        case admitted(Ticket, deadline: DHTInstant, displacing: (ticket: Ticket, reason: Displacement)?)
        /// Close it now.
        case refused(Refusal)

        public static func == (lhs: Admission, rhs: Admission) -> Bool {
            switch (lhs, rhs) {
            case (.admitted(let a, let da, let va), .admitted(let b, let db, let vb)):
                a == b && da == db && va?.ticket == vb?.ticket && va?.reason == vb?.reason
            case (.refused(let a), .refused(let b)):
                a == b
            default:
                false
            }
        }
    }

    private struct Entry: Sendable {
        let source: ConnectionSource
        var isPending: Bool
    }

    /// The limits in force.
    public let limits: ConnectionLimits
    private var entries: [Ticket: Entry] = [:]
    /// Pending tickets per source and per network, oldest first (each at most its pending cap long).
    private var pendingBySource: [ConnectionSource.Prefix: Deque<Ticket>] = [:]
    private var pendingByNetwork: [ConnectionSource.Prefix: Deque<Ticket>] = [:]
    private var openBySource: [ConnectionSource.Prefix: Int] = [:]
    private var openByNetwork: [ConnectionSource.Prefix: Int] = [:]
    private var nextTicket: UInt64 = 0

    /// Connections pending.
    public private(set) var pendingCount = 0
    /// Connections open, pending or established.
    public var openCount: Int { entries.count }

    /// An empty budget.
    public init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// A connection from `source` arrived at `now`.
    public mutating func admit(_ source: ConnectionSource, now: DHTInstant) -> Admission {
        if entries.count >= limits.connections { return .refused(.listenerFull) }
        if openBySource[source.source, default: 0] >= limits.connectionsPerSource { return .refused(.sourceFull) }
        if openByNetwork[source.network, default: 0] >= limits.connectionsPerNetwork { return .refused(.networkFull) }

        var displaced: (ticket: Ticket, reason: Displacement)?
        if let own = pendingBySource[source.source], own.count >= limits.pendingPerSource, let oldest = own.first {
            displaced = (oldest, .sourcePending)
        } else if let own = pendingByNetwork[source.network], own.count >= limits.pendingPerNetwork,
            let oldest = own.first
        {
            displaced = (oldest, .networkPending)
        } else if pendingCount >= limits.pending, let crowded = mostPendingNetwork(), let oldest = crowded.first {
            displaced = (oldest, .listenerPending)
        }
        if let displaced { closed(displaced.ticket) }

        let ticket = Ticket(value: nextTicket)
        nextTicket += 1
        let deadline = now + pendingDeadline()
        entries[ticket] = Entry(source: source, isPending: true)
        pendingBySource[source.source, default: []].append(ticket)
        pendingByNetwork[source.network, default: []].append(ticket)
        openBySource[source.source, default: 0] += 1
        openByNetwork[source.network, default: 0] += 1
        pendingCount += 1
        return .admitted(ticket, deadline: deadline, displacing: displaced)
    }

    /// The connection proved itself (its handshake completed, or its first request head arrived); it no longer
    /// holds a pending slot and is never displaced.
    public mutating func established(_ ticket: Ticket) {
        guard let entry = entries[ticket], entry.isPending else { return }
        entries[ticket]?.isPending = false
        removePending(ticket, of: entry.source)
    }

    /// The connection closed, for any reason (a displaced or refused one too: closing twice is harmless).
    public mutating func closed(_ ticket: Ticket) {
        guard let entry = entries.removeValue(forKey: ticket) else { return }
        if entry.isPending { removePending(ticket, of: entry.source) }
        Self.decrement(&openBySource, entry.source.source)
        Self.decrement(&openByNetwork, entry.source.network)
    }

    /// Whether `ticket` is still pending.
    func isPending(_ ticket: Ticket) -> Bool {
        entries[ticket]?.isPending ?? false
    }

    /// Pending connections from `source`'s network (for tests).
    func pendingCount(inNetworkOf source: ConnectionSource) -> Int {
        pendingByNetwork[source.network]?.count ?? 0
    }

    /// Pending connections from `source`'s source (for tests).
    func pendingCount(fromSourceOf source: ConnectionSource) -> Int {
        pendingBySource[source.source]?.count ?? 0
    }

    /// Open connections from `source`'s source and network (for tests).
    func openCount(of source: ConnectionSource) -> (source: Int, network: Int) {
        (openBySource[source.source] ?? 0, openByNetwork[source.network] ?? 0)
    }

    /// The deadline for a connection arriving now: ``ConnectionLimits/pendingDeadline`` with no other pending,
    /// shrinking linearly to ``ConnectionLimits/minimumPendingDeadline`` as the pending slots fill.
    private func pendingDeadline() -> Duration {
        let load = Double(min(pendingCount, limits.pending)) / Double(limits.pending)
        let span = limits.pendingDeadline - limits.minimumPendingDeadline
        return limits.pendingDeadline - span * load
    }

    /// The pending tickets of the network that holds the most (scanned only when every slot is taken).
    private func mostPendingNetwork() -> Deque<Ticket>? {
        pendingByNetwork.values.max { $0.count < $1.count }
    }

    private mutating func removePending(_ ticket: Ticket, of source: ConnectionSource) {
        Self.remove(ticket, from: &pendingBySource, source.source)
        Self.remove(ticket, from: &pendingByNetwork, source.network)
        pendingCount -= 1
    }

    private static func remove(
        _ ticket: Ticket,
        from table: inout [ConnectionSource.Prefix: Deque<Ticket>],
        _ key: ConnectionSource.Prefix
    ) {
        guard var tickets = table.removeValue(forKey: key) else { return }
        if let index = tickets.firstIndex(of: ticket) { tickets.remove(at: index) }
        if !tickets.isEmpty { table[key] = tickets }
    }

    private static func decrement(_ table: inout [ConnectionSource.Prefix: Int], _ key: ConnectionSource.Prefix) {
        guard let count = table[key] else { return }
        table[key] = count > 1 ? count - 1 : nil
    }
}
