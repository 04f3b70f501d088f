import Kademlia
import Testing

@testable import DHTNode

/// The connection budget as a pure state machine: random arrival orders against its invariants.
@Suite("Connection budget")
struct ConnectionBudgetTests {
    static let limits = ConnectionLimits(
        pending: 32,
        pendingPerSource: 4,
        pendingPerNetwork: 8,
        connections: 96,
        connectionsPerSource: 12,
        connectionsPerNetwork: 24,
        pendingDeadline: .seconds(10),
        minimumPendingDeadline: .seconds(2)
    )

    static func source(network: UInt32, host: UInt32) -> ConnectionSource {
        ConnectionSource(.ipv4(0x0a00_0000 | network << 8 | host))
    }

    /// What the test remembers of each open ticket.
    struct Open {
        let source: ConnectionSource
        var pending: Bool
    }

    @Test("random arrivals, proofs and closes never exceed a cap, never displace an established connection, and displace only from a network holding at least as much", arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func invariantsUnderRandomOrders(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var budget = ConnectionBudget(limits: Self.limits)
        var open: [ConnectionBudget.Ticket: Open] = [:]
        var now = DHTInstant.zero
        for _ in 0..<8_000 {
            now = now + .milliseconds(Int.random(in: 0...5, using: &random))
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                // A few crowded networks and many quiet ones, so every cap is reached.
                let network = Bool.random(using: &random)
                    ? UInt32.random(in: 0..<3, using: &random) : UInt32.random(in: 3..<200, using: &random)
                let source = Self.source(network: network, host: UInt32.random(in: 0..<6, using: &random))
                let pendingHere = open.values.filter { $0.pending && $0.source.network == source.network }.count
                switch budget.admit(source, now: now) {
                case .refused(let reason):
                    let counts = budget.openCount(of: source)
                    switch reason {
                    case .listenerFull: #expect(open.count >= Self.limits.connections)
                    case .sourceFull: #expect(counts.source >= Self.limits.connectionsPerSource)
                    case .networkFull: #expect(counts.network >= Self.limits.connectionsPerNetwork)
                    }
                case .admitted(let ticket, let deadline, let displaced):
                    #expect(deadline - now <= Self.limits.pendingDeadline)
                    #expect(deadline - now >= Self.limits.minimumPendingDeadline)
                    if let displaced {
                        let victim = open.removeValue(forKey: displaced.ticket)
                        #expect(victim?.pending == true, "only a pending connection is displaced")
                        if let victim {
                            switch displaced.reason {
                            case .sourcePending: #expect(victim.source.source == source.source)
                            case .networkPending: #expect(victim.source.network == source.network)
                            case .listenerPending:
                                let victimHeld = open.values.filter {
                                    $0.pending && $0.source.network == victim.source.network
                                }.count + 1
                                #expect(victimHeld >= pendingHere, "a network is displaced only by one holding no more")
                            }
                        }
                    }
                    open[ticket] = Open(source: source, pending: true)
                }
            case 6..<8:
                if let ticket = open.filter(\.value.pending).keys.randomElement(using: &random) {
                    budget.established(ticket)
                    open[ticket]?.pending = false
                }
            default:
                if let ticket = open.keys.randomElement(using: &random) {
                    budget.closed(ticket)
                    open[ticket] = nil
                }
            }
            #expect(budget.openCount == open.count)
            #expect(budget.pendingCount == open.values.filter(\.pending).count)
            #expect(budget.pendingCount <= Self.limits.pending)
            #expect(budget.openCount <= Self.limits.connections)
            for entry in open.values {
                let counts = budget.openCount(of: entry.source)
                #expect(counts.source <= Self.limits.connectionsPerSource)
                #expect(counts.network <= Self.limits.connectionsPerNetwork)
                #expect(budget.pendingCount(fromSourceOf: entry.source) <= Self.limits.pendingPerSource)
                #expect(budget.pendingCount(inNetworkOf: entry.source) <= Self.limits.pendingPerNetwork)
            }
        }
    }

    @Test("a flood from many sources in a few networks never displaces an honest connection from another network before it proves itself")
    func honestShareKept() {
        var random = SeededRandom(seed: 42)
        var budget = ConnectionBudget(limits: Self.limits)
        var now = DHTInstant.zero
        var honest: [(ticket: ConnectionBudget.Ticket, provesAt: Int)] = []
        var honestAdmitted = 0
        var attackers: [ConnectionBudget.Ticket] = []
        for step in 0..<50_000 {
            now = now + .milliseconds(1)
            if step % 50 == 0 {
                // An honest peer from a network of its own, which proves itself three arrivals later.
                let source = Self.source(network: 1_000 + UInt32(step / 50), host: 1)
                if case .admitted(let ticket, _, _) = budget.admit(source, now: now) {
                    honest.append((ticket, step + 3))
                    honestAdmitted += 1
                }
            }
            let attacker = Self.source(
                network: UInt32.random(in: 0..<4, using: &random), host: UInt32.random(in: 0..<256, using: &random))
            if case .admitted(let ticket, _, let displaced) = budget.admit(attacker, now: now) {
                attackers.append(ticket)
                if let displaced {
                    #expect(!honest.contains { $0.ticket == displaced.ticket }, "an honest connection was displaced")
                }
            }
            honest.removeAll { entry in
                guard entry.provesAt <= step else { return false }
                #expect(budget.isPending(entry.ticket), "the honest connection is still pending when it proves itself")
                budget.established(entry.ticket)
                budget.closed(entry.ticket)
                return true
            }
            // Attackers that got slots hold them: they are closed only when displaced (above) or by their deadline,
            // which this flood outruns.
            if attackers.count > 10_000 { attackers.removeFirst(5_000) }
        }
        #expect(honestAdmitted == 1_000)
        #expect(budget.pendingCount <= Self.limits.pendingPerNetwork * 4 + 3)
    }

    @Test("the pending deadline shrinks from its full length to the minimum as the pending slots fill")
    func deadlineShrinks() {
        var budget = ConnectionBudget(limits: Self.limits)
        var deadlines: [Duration] = []
        for index in 0..<Self.limits.pending {
            let source = Self.source(network: UInt32(index), host: 1)
            guard case .admitted(_, let deadline, .none) = budget.admit(source, now: .zero) else {
                Issue.record("arrival \(index) was not admitted without displacement")
                return
            }
            deadlines.append(deadline - .zero)
        }
        #expect(deadlines.first == .seconds(10))
        #expect(deadlines == deadlines.sorted(by: >))
        #expect(deadlines.last! < .seconds(3))
        #expect(deadlines.last! >= .seconds(2))
    }

    @Test("established connections are never displaced; past the open caps new connections are refused")
    func establishedAreKept() {
        var budget = ConnectionBudget(limits: Self.limits)
        let source = Self.source(network: 7, host: 7)
        var tickets: [ConnectionBudget.Ticket] = []
        for _ in 0..<Self.limits.connectionsPerSource {
            guard case .admitted(let ticket, _, .none) = budget.admit(source, now: .zero) else {
                Issue.record("not admitted")
                return
            }
            budget.established(ticket)
            tickets.append(ticket)
        }
        #expect(budget.admit(source, now: .zero) == .refused(.sourceFull))
        #expect(budget.pendingCount == 0)
        budget.closed(tickets[0])
        guard case .admitted = budget.admit(source, now: .zero) else {
            Issue.record("a freed slot is not reused")
            return
        }
    }

    @Test("an IPv6 host counts as its /64 and its network as the /48")
    func ipv6Prefixes() {
        let a = ConnectionSource(.ipv6(high: 0x2001_0db8_0001_0002, low: 1))
        let b = ConnectionSource(.ipv6(high: 0x2001_0db8_0001_0002, low: 0xffff))
        let c = ConnectionSource(.ipv6(high: 0x2001_0db8_0001_0003, low: 1))
        let d = ConnectionSource(.ipv6(high: 0x2001_0db8_0002_0002, low: 1))
        #expect(a == b)
        #expect(a.source != c.source && a.network == c.network)
        #expect(a.network != d.network)
        let v4 = ConnectionSource(.ipv4(0x0a00_0105))
        #expect(v4.network == ConnectionSource(.ipv4(0x0a00_01ff)).network)
        #expect(v4.network != ConnectionSource(.ipv4(0x0a00_0205)).network)
    }
}
