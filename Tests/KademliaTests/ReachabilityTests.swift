import Testing

@testable import Kademlia

/// The reachability state machine alone, under virtual time.
@Suite("Reachability state machine")
struct ReachabilityStateMachineTests {
    var configuration: ReachabilityConfiguration {
        var configuration = ReachabilityConfiguration()
        configuration.isEnabled = true
        return configuration
    }

    let start = DHTInstant.seconds(10)
    let observed = NodeAddress(ipv4: 0xc000_0207, port: 40_000)

    func peers(_ count: Int) -> [Contact] {
        (0..<count).map { Contact(id: TestIDs.filled(UInt8($0 + 1)), address: TestIDs.address($0 + 1)) }
    }

    /// A machine past its first delay, with `checks` planned toward `peers`.
    func started(peers: [Contact], random: inout SeededRandom) -> (Reachability, [(nonce: UInt64, peer: Contact)]) {
        var machine = Reachability(configuration: configuration)
        let first = machine.contactAvailable(now: start)
        #expect(first == start + .seconds(1))
        #expect(machine.dueChecks(now: start, candidates: peers, using: &random).isEmpty)
        let planned = machine.dueChecks(now: start + .seconds(1), candidates: peers, using: &random)
        return (machine, planned)
    }

    @Test("three probes from helpers make it public; three distinct peers are asked at once")
    func publicAfterThree() {
        var random = SeededRandom(seed: 1)
        var (machine, planned) = started(peers: peers(6), random: &random)
        #expect(planned.count == 3)
        #expect(Set(planned.map(\.peer.id)).count == 3)
        var now = start + .seconds(1)
        var changes: [Reachability.Change] = []
        for (index, check) in planned.enumerated() {
            now = now + .milliseconds(20)
            _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            let helper = NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 5555)
            if let change = machine.probeArrived(nonce: check.nonce, from: helper, now: now) { changes.append(change) }
        }
        #expect(changes == [Reachability.Change(from: .unknown, to: .public)])
        #expect(machine.status == .public)
        #expect(machine.isSettled)
        #expect(machine.confirmations == (3, 0))
        #expect(machine.observedAddresses(now: now).map(\.address) == [observed])
        #expect(machine.observedAddresses(now: now).first?.reporters == 3)
        // Settled: the next single check comes a recheck interval later.
        #expect(machine.nextDeadline == now + configuration.recheckInterval)
        #expect(machine.dueChecks(now: now + .seconds(60), candidates: peers(6), using: &random).isEmpty)
        #expect(machine.dueChecks(now: now + configuration.recheckInterval, candidates: peers(6), using: &random).count == 1)
    }

    @Test("probes that went out and never arrived make it private once the wait is over")
    func privateAfterThree() {
        var random = SeededRandom(seed: 2)
        var (machine, planned) = started(peers: peers(6), random: &random)
        let now = start + .seconds(1) + .milliseconds(30)
        for check in planned {
            #expect(
                machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
                    == nil)
        }
        #expect(machine.nextDeadline == now + configuration.probeWait)
        #expect(machine.tick(now: now + .seconds(2)) == nil)
        #expect(machine.tick(now: now + configuration.probeWait) == Reachability.Change(from: .unknown, to: .private))
        #expect(machine.status == .private)
        #expect(machine.confirmations == (0, 3))
        #expect(machine.counters.unreached == 3)
    }

    /// ``started(peers:random:)`` for a node that also listens on TCP.
    func startedProbingTCP(peers: [Contact], random: inout SeededRandom) -> (Reachability, [(nonce: UInt64, peer: Contact)]) {
        var configuration = configuration
        configuration.probesTCP = true
        var machine = Reachability(configuration: configuration)
        _ = machine.contactAvailable(now: start)
        let planned = machine.dueChecks(now: start + .seconds(1), candidates: peers, using: &random)
        return (machine, planned)
    }

    @Test("with a TCP listener, a dial-back is reached only when both probes arrive, in either order")
    func publicNeedsBothProbes() {
        var random = SeededRandom(seed: 11)
        var (machine, planned) = startedProbingTCP(peers: peers(6), random: &random)
        #expect(planned.count == 3)
        let now = start + .seconds(1) + .milliseconds(20)
        var changes: [Reachability.Change] = []
        for (index, check) in planned.enumerated() {
            _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            let helper = NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 5555)
            let connection = NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 40_001)
            // The UDP probe first for even checks, the TCP probe first for odd ones: the first alone decides nothing.
            if index % 2 == 0 {
                #expect(machine.probeArrived(nonce: check.nonce, from: helper, now: now) == nil)
                if let change = machine.tcpProbeArrived(nonce: check.nonce, from: connection, now: now) { changes.append(change) }
            } else {
                #expect(machine.tcpProbeArrived(nonce: check.nonce, from: connection, now: now) == nil)
                if let change = machine.probeArrived(nonce: check.nonce, from: helper, now: now) { changes.append(change) }
            }
        }
        #expect(changes == [Reachability.Change(from: .unknown, to: .public)])
        #expect(machine.confirmations == (3, 0))
    }

    @Test("with a TCP listener, datagrams that get in without connections leave the node private")
    func privateWhenTCPIsFiltered() {
        var random = SeededRandom(seed: 12)
        var (machine, planned) = startedProbingTCP(peers: peers(6), random: &random)
        let now = start + .seconds(1) + .milliseconds(20)
        for (index, check) in planned.enumerated() {
            _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            #expect(machine.probeArrived(nonce: check.nonce, from: NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 5555), now: now) == nil)
        }
        #expect(machine.tick(now: now + configuration.probeWait) == Reachability.Change(from: .unknown, to: .private))
        #expect(machine.confirmations == (0, 3))
    }

    @Test("without a TCP listener, a TCP probe is not expected and counts for nothing")
    func tcpProbeIgnoredWithoutListener() {
        var random = SeededRandom(seed: 13)
        var (machine, planned) = started(peers: peers(6), random: &random)
        let check = planned[0]
        _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: start)
        #expect(machine.tcpProbeArrived(nonce: check.nonce, from: NodeAddress(ipv4: 0x0b00_0001, port: 40_001), now: start) == nil)
        #expect(machine.counters.probesIgnored == 1)
    }

    @Test("refusals and unanswered dial-backs decide nothing; eight in a row pause the checks")
    func inconclusive() {
        var random = SeededRandom(seed: 3)
        var (machine, planned) = started(peers: peers(20), random: &random)
        var now = start + .seconds(1)
        var sent = planned.count
        var ended = 0
        while ended < 8 {
            for check in planned {
                now = now + .milliseconds(10)
                if ended.isMultiple(of: 2) {
                    _ = machine.statusArrived(
                        nonce: check.nonce, status: .noHelper, observed: observed, from: check.peer.id, now: now)
                } else {
                    _ = machine.noAnswer(nonce: check.nonce, now: now)
                }
                ended += 1
            }
            planned = machine.dueChecks(now: now, candidates: peers(20), using: &random)
            sent += planned.count
        }
        #expect(machine.status == .unknown)
        #expect(machine.counters.inconclusive >= 8)
        #expect(machine.checksInFlight == 0 || planned.isEmpty == false)
        // Paused: nothing more until the retry interval passed.
        for check in planned { _ = machine.noAnswer(nonce: check.nonce, now: now) }
        #expect(machine.dueChecks(now: now + .seconds(5), candidates: peers(20), using: &random).isEmpty)
        #expect(!machine.dueChecks(now: now + configuration.retryInterval, candidates: peers(20), using: &random).isEmpty)
    }

    @Test("an unsettled node asks each peer once: with two peers, two dial-backs, then one try per retry interval")
    func noLoopWithFewPeers() {
        var random = SeededRandom(seed: 7)
        var (machine, planned) = started(peers: peers(2), random: &random)
        #expect(planned.count == 2)
        var now = start + .seconds(1)
        for (index, check) in planned.enumerated() {
            now = now + .milliseconds(10)
            _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            _ = machine.probeArrived(nonce: check.nonce, from: NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 9), now: now)
            #expect(machine.dueChecks(now: now, candidates: peers(2), using: &random).isEmpty)
        }
        #expect(machine.status == .unknown)
        #expect(machine.nextDeadline == now + configuration.retryInterval)
        #expect(machine.dueChecks(now: now + configuration.retryInterval, candidates: peers(2), using: &random).isEmpty)
        // A third peer appears: it is asked, and decides.
        let third = machine.dueChecks(now: now + configuration.retryInterval * 2, candidates: peers(3), using: &random)
        #expect(third.count == 1)
        _ = machine.statusArrived(nonce: third[0].nonce, status: .probed, observed: observed, from: third[0].peer.id, now: now)
        #expect(machine.probeArrived(nonce: third[0].nonce, from: NodeAddress(ipv4: 0x0c00_0000, port: 9), now: now)?.to == .public)
        #expect(machine.counters.checksSent == 3)
    }

    @Test("a probe from an address this node sent to, or for no dial-back, proves nothing")
    func probeFromContacted() {
        var random = SeededRandom(seed: 4)
        var (machine, planned) = started(peers: peers(4), random: &random)
        let now = start + .seconds(2)
        let helper = NodeAddress(ipv4: 0x0b00_0001, port: 4000)
        machine.noteSent(to: helper, now: now)
        #expect(machine.probeArrived(nonce: planned[0].nonce, from: helper, now: now) == nil)
        #expect(machine.probeArrived(nonce: 12345, from: NodeAddress(ipv4: 0x0b00_0002, port: 1), now: now) == nil)
        #expect(machine.counters.probesIgnored == 2)
        #expect(machine.checksInFlight == 3)
        // The same helper from another port (its probe socket) counts.
        _ = machine.probeArrived(nonce: planned[0].nonce, from: NodeAddress(ipv4: 0x0b00_0001, port: 4001), now: now)
        #expect(machine.counters.reached == 1)
    }

    @Test("a new observed IP drops the results taken at the old one and checks again at once")
    func addressChange() {
        var random = SeededRandom(seed: 5)
        var (machine, planned) = started(peers: peers(8), random: &random)
        var now = start + .seconds(1)
        for (index, check) in planned.enumerated() {
            _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            _ = machine.probeArrived(nonce: check.nonce, from: NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 9), now: now)
        }
        #expect(machine.status == .public && machine.isSettled)
        now = now + configuration.recheckInterval
        let recheck = machine.dueChecks(now: now, candidates: peers(8), using: &random)
        #expect(recheck.count == 1)
        let moved = NodeAddress(ipv4: 0xc633_6401, port: 40_000)
        _ = machine.statusArrived(nonce: recheck[0].nonce, status: .probed, observed: moved, from: recheck[0].peer.id, now: now)
        #expect(machine.counters.addressChanges == 1)
        #expect(machine.confirmations == (0, 0))
        // The status stands until new results decide, but it is no longer settled: three checks at once.
        #expect(machine.status == .public)
        #expect(!machine.isSettled)
        #expect(machine.dueChecks(now: now, candidates: peers(8), using: &random).count == 2)
    }

    @Test("the status follows the newest results: a public node that stops being reached turns private")
    func flips() {
        var random = SeededRandom(seed: 6)
        var (machine, planned) = started(peers: peers(10), random: &random)
        var now = start + .seconds(1)
        for (index, check) in planned.enumerated() {
            _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            _ = machine.probeArrived(nonce: check.nonce, from: NodeAddress(ipv4: 0x0b00_0000 | UInt32(index), port: 9), now: now)
        }
        #expect(machine.status == .public)
        var change: Reachability.Change?
        var rounds = 0
        now = now + configuration.recheckInterval
        while change == nil, rounds < 10 {
            rounds += 1
            for check in machine.dueChecks(now: now, candidates: peers(10), using: &random) {
                _ = machine.statusArrived(nonce: check.nonce, status: .probed, observed: observed, from: check.peer.id, now: now)
            }
            now = now + configuration.probeWait
            change = machine.tick(now: now)
        }
        #expect(change == Reachability.Change(from: .public, to: .private))
        #expect(rounds <= 3)
    }

    @Test("a budget per prefix and window: refused past the limit, and new prefixes past the capacity")
    func prefixBudget() {
        var budget = PrefixBudget(limit: 2, capacity: 2)
        let a = NodeAddress.Host.ipv4(1).sourcePrefix
        let b = NodeAddress.Host.ipv4(2).sourcePrefix
        let c = NodeAddress.Host.ipv4(3).sourcePrefix
        let now = DHTInstant.seconds(1)
        var allowed: [Bool] = []
        for _ in 0..<2 {
            allowed.append(budget.allows(a, now: now))
            budget.take(a, now: now)
        }
        allowed.append(budget.allows(a, now: now))
        budget.take(b, now: now)
        allowed.append(budget.allows(c, now: now))
        allowed.append(budget.allows(a, now: now + .seconds(60)))
        allowed.append(budget.allows(c, now: now + .seconds(60)))
        #expect(allowed == [true, true, false, false, true, true])
    }
}
