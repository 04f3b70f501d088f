import Testing

@testable import Kademlia

@Suite("Lookup")
struct LookupTests {
    let target = try! NodeID(hex: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")
    var localID: NodeID { target.flippingBit(0) }

    /// The contact at XOR distance `distance` from the target (smaller is closer).
    func at(_ distance: UInt64) -> Contact {
        Contact(id: target.distance(to: NodeID(0, 0, 0, distance)), address: TestIDs.address(Int(distance % 60_000)))
    }

    func distance(_ contact: Contact) -> UInt64 {
        let d = contact.id.distance(to: target)
        precondition(d.w0 == 0 && d.w1 == 0 && d.w2 == 0)
        return d.w3
    }

    func configuration(k: Int = 20, alpha: Int = 3, attempts: Int = 4, providersWanted: Int? = 20) -> LookupConfiguration {
        var configuration = LookupConfiguration()
        configuration.resultSize = k
        configuration.parallelism = alpha
        configuration.attemptsPerContact = attempts
        configuration.providersWanted = providersWanted
        return configuration
    }

    func lookup(_ kind: LookupKind = .findNode, seeds: [UInt64], configuration: LookupConfiguration? = nil) -> Lookup {
        Lookup(target: target, kind: kind, seeds: seeds.map(at), localID: localID, configuration: configuration ?? self.configuration())
    }

    @Test("the first queries are the α closest seeds, first attempts")
    func firstQueriesAreClosestSeeds() {
        var lookup = lookup(seeds: [50, 7, 31, 3, 90, 12, 5, 64])
        let first = lookup.nextQueries()
        #expect(first.map { distance($0.contact) } == [3, 5, 7])
        #expect(first.allSatisfy { $0.attempt == 1 })
        // All three slots are taken.
        #expect(lookup.nextQueries().isEmpty)
        #expect(!lookup.isFinished)
        // An answer frees one slot, for the next closest.
        lookup.handleAnswer(from: at(5).id, closer: [])
        #expect(lookup.nextQueries().map { distance($0.contact) } == [12])
    }

    @Test("never more than α in flight while converging")
    func atMostAlphaWhileConverging() throws {
        // Each contact at distance d names two contacts closer to the target, so the lookup keeps converging
        // for a while; the model below knows when the final round may open.
        var lookup = lookup(seeds: Array(stride(from: UInt64(1000), to: 1030, by: 1)))
        var outstanding: [Lookup.Query] = []
        var known = Set(stride(from: UInt64(1000), to: 1030, by: 1))
        var answered = Set<UInt64>()
        var maxWhileConverging = 0
        var steps = 0
        while !lookup.isFinished, steps < 10_000 {
            steps += 1
            let alphaClosestAnswered = known.sorted().prefix(3).allSatisfy { answered.contains($0) }
            outstanding += lookup.nextQueries()
            if !alphaClosestAnswered {
                maxWhileConverging = max(maxWhileConverging, outstanding.count)
                #expect(outstanding.count <= 3)
            }
            guard !outstanding.isEmpty else { continue }
            let query = outstanding.removeFirst()
            let d = distance(query.contact)
            let named = d > 10 ? [d / 2, d / 2 + 1] : []
            known.formUnion(named)
            answered.insert(d)
            lookup.handleAnswer(from: query.contact.id, closer: named.map(at))
        }
        #expect(lookup.isFinished)
        #expect(maxWhileConverging == 3)
        let result = lookup.result
        #expect(result.outcome == .converged)
        #expect(result.closest.map(distance) == Array(known.sorted().prefix(20)))
    }

    @Test("once the α closest answered, the rest of the k closest are asked at once")
    func finalRoundAsksTheRest() {
        var lookup = lookup(seeds: Array(1...10), configuration: configuration(k: 8))
        let first = lookup.nextQueries()
        for query in first { lookup.handleAnswer(from: query.contact.id, closer: []) }
        #expect(lookup.nextQueries().map { distance($0.contact) } == [4, 5, 6, 7, 8])
    }

    @Test("ends exactly when the k closest non-failed candidates have answered")
    func endsWhenKClosestAnswered() {
        var lookup = lookup(seeds: Array(1...12), configuration: configuration(k: 5))
        #expect(lookup.nextQueries().map { distance($0.contact) } == [1, 2, 3])
        for d: UInt64 in [1, 2, 3] { lookup.handleAnswer(from: at(d).id, closer: []) }
        #expect(lookup.nextQueries().map { distance($0.contact) } == [4, 5])
        #expect(!lookup.isFinished)
        lookup.handleAnswer(from: at(4).id, closer: [])
        #expect(lookup.nextQueries().isEmpty)
        #expect(!lookup.isFinished)
        lookup.handleAnswer(from: at(5).id, closer: [])
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.isFinished)
        let result = lookup.result
        #expect(result.outcome == .converged)
        #expect(result.closest.map(distance) == [1, 2, 3, 4, 5])
        #expect(result.messagesSent == 5)
        #expect(result.responses == 5)
        #expect(result.timeouts == 0)
        #expect(result.reachedNetwork)
    }

    @Test("a failed contact leaves the k closest; the next candidate takes its place, the result is sorted")
    func failedContactReplacedInResult() {
        var lookup = lookup(seeds: [9, 4, 12, 1, 7, 3, 30, 2], configuration: configuration(k: 5, attempts: 1))
        #expect(lookup.nextQueries().map { distance($0.contact) } == [1, 2, 3])
        #expect(lookup.handleTimeout(of: at(2).id) == .gaveUp(at(2)))
        lookup.handleAnswer(from: at(3).id, closer: [])
        lookup.handleAnswer(from: at(1).id, closer: [])
        // The 3 closest non-failed (1, 3, 4): 4 was never asked, so the lookup is still converging.
        #expect(lookup.nextQueries().map { distance($0.contact) } == [4, 7, 9])
        for d: UInt64 in [9, 4, 7] { lookup.handleAnswer(from: at(d).id, closer: []) }
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.isFinished)
        #expect(lookup.result.closest.map(distance) == [1, 3, 4, 7, 9])
        #expect(lookup.result.timeouts == 1)
    }

    @Test("a lookup whose contacts all time out ends with .noResponses", arguments: [1, 3, 25])
    func allTimeOut(seedCount: Int) {
        var lookup = lookup(seeds: (1...UInt64(seedCount)).map { $0 })
        var outstanding: [Lookup.Query] = []
        var attempts: [UInt64: Int] = [:]
        var steps = 0
        while steps < 10_000 {
            steps += 1
            outstanding += lookup.nextQueries()
            if lookup.isFinished || outstanding.isEmpty { break }
            let query = outstanding.removeFirst()
            attempts[distance(query.contact), default: 0] += 1
            switch lookup.handleTimeout(of: query.contact.id) {
            case .retry(let again):
                #expect(again.contact == query.contact)
                #expect(again.attempt == query.attempt + 1)
                outstanding.append(again)
            case .gaveUp(let contact):
                #expect(contact == query.contact)
                #expect(query.attempt == 4)
            case .ignore:
                Issue.record("timeout of \(query.contact) ignored")
            }
        }
        #expect(outstanding.isEmpty)
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.isFinished)
        let result = lookup.result
        #expect(result.outcome == .noResponses)
        #expect(!result.reachedNetwork)
        #expect(result.closest.isEmpty)
        #expect(attempts.count == seedCount)
        #expect(attempts.values.allSatisfy { $0 == 4 })
        #expect(result.timeouts == 4 * seedCount)
        #expect(result.messagesSent == 4 * seedCount)
        #expect(result.responses == 0)
    }

    @Test("no seeds: .noContacts at once")
    func noSeeds() {
        var lookup = lookup(seeds: [])
        #expect(lookup.isFinished)
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.result.outcome == .noContacts)
        #expect(lookup.result.messagesSent == 0)

        // Our own ID is never a candidate.
        var onlyUs = Lookup(target: target, kind: .findNode, seeds: [Contact(id: localID, address: TestIDs.address(1))], localID: localID, configuration: configuration())
        #expect(onlyUs.isFinished)
        #expect(onlyUs.nextQueries().isEmpty)
        #expect(onlyUs.result.outcome == .noContacts)
    }

    @Test("a timeout among the k closest gives .retry until attemptsPerContact, then .gaveUp")
    func retryThenGiveUp() {
        var lookup = lookup(seeds: [1, 2, 3], configuration: configuration(attempts: 3))
        _ = lookup.nextQueries()
        #expect(lookup.handleTimeout(of: at(2).id) == .retry(Lookup.Query(contact: at(2), attempt: 2)))
        #expect(lookup.handleTimeout(of: at(2).id) == .retry(Lookup.Query(contact: at(2), attempt: 3)))
        #expect(lookup.handleTimeout(of: at(2).id) == .gaveUp(at(2)))
        #expect(lookup.handleTimeout(of: at(2).id) == .ignore)
        // Timeouts of contacts never asked, or unknown, are ignored.
        #expect(lookup.handleTimeout(of: at(99).id) == .ignore)
        let result = lookup.result
        #expect(result.timeouts == 3)
        #expect(result.messagesSent == 5)
    }

    @Test("a timeout of a contact no longer among the k closest gives up at once")
    func timeoutOutsideKClosest() {
        var lookup = lookup(seeds: [10, 11, 12], configuration: configuration(k: 3))
        _ = lookup.nextQueries()
        lookup.handleAnswer(from: at(10).id, closer: [at(1), at(2), at(3)])
        #expect(lookup.handleTimeout(of: at(12).id) == .gaveUp(at(12)))
    }

    @Test("a stalled contact that answers late counts as answered")
    func lateAnswerAfterRetry() {
        var lookup = lookup(seeds: [1, 2], configuration: configuration(k: 2))
        _ = lookup.nextQueries()
        #expect(lookup.handleTimeout(of: at(1).id) == .retry(Lookup.Query(contact: at(1), attempt: 2)))
        lookup.handleAnswer(from: at(1).id, closer: [])
        lookup.handleAnswer(from: at(2).id, closer: [])
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.isFinished)
        #expect(lookup.result.closest.map(distance) == [1, 2])
        #expect(lookup.result.messagesSent == 3)
        #expect(lookup.handleTimeout(of: at(1).id) == .ignore)
    }

    @Test("hops: seeds are hop 1, a contact learned from a seed's answer is hop 2")
    func hops() {
        var lookup = lookup(seeds: [10, 11, 12], configuration: configuration(k: 3))
        _ = lookup.nextQueries()
        for d: UInt64 in [10, 11, 12] { lookup.handleAnswer(from: at(d).id, closer: []) }
        #expect(lookup.result.hops == 1)

        var deeper = self.lookup(seeds: [10, 11, 12], configuration: configuration(k: 3))
        _ = deeper.nextQueries()
        deeper.handleAnswer(from: at(10).id, closer: [at(5)])
        #expect(deeper.nextQueries().map { distance($0.contact) } == [5])
        deeper.handleAnswer(from: at(5).id, closer: [at(1)])
        #expect(deeper.result.hops == 2)
        #expect(deeper.nextQueries().map { distance($0.contact) } == [1])
        deeper.handleAnswer(from: at(1).id, closer: [])
        for d: UInt64 in [11, 12] { deeper.handleAnswer(from: at(d).id, closer: []) }
        _ = deeper.nextQueries()
        #expect(deeper.isFinished)
        #expect(deeper.result.closest.map(distance) == [1, 5, 10])
        #expect(deeper.result.hops == 3)
    }

    @Test("messagesSent counts retransmissions")
    func messagesCountRetransmissions() {
        var lookup = lookup(seeds: [1, 2, 3, 4], configuration: configuration(k: 4))
        _ = lookup.nextQueries()
        _ = lookup.handleTimeout(of: at(1).id)
        _ = lookup.handleTimeout(of: at(1).id)
        #expect(lookup.nextQueries().map { distance($0.contact) } == [4])
        for d: UInt64 in [1, 2, 3, 4] { lookup.handleAnswer(from: at(d).id, closer: []) }
        _ = lookup.nextQueries()
        #expect(lookup.isFinished)
        #expect(lookup.result.messagesSent == 6)
        #expect(lookup.result.timeouts == 2)
        #expect(lookup.result.responses == 4)
    }

    @Test("the same contact named twice, or our own ID named, is not asked twice")
    func duplicatesIgnored() {
        var lookup = lookup(seeds: [10, 11, 12], configuration: configuration(k: 5))
        _ = lookup.nextQueries()
        let me = Contact(id: localID, address: TestIDs.address(7))
        lookup.handleAnswer(from: at(10).id, closer: [at(4), at(11), me])
        lookup.handleAnswer(from: at(11).id, closer: [at(4), at(10)])
        let next = lookup.nextQueries()
        #expect(next.map { distance($0.contact) } == [4])
        lookup.handleAnswer(from: at(10).id, closer: [])
        #expect(lookup.result.responses == 2)
    }

    @Test("FIND_VALUE ends at the first answer with values")
    func findValueEndsAtFirstValue() {
        var lookup = lookup(.findValue, seeds: [1, 2, 3, 4, 5])
        _ = lookup.nextQueries()
        lookup.handleAnswer(from: at(1).id, closer: [at(9)])
        #expect(!lookup.isFinished)
        let value = DHTValue(publisher: at(77).id, data: [1, 2, 3])
        lookup.handleAnswer(from: at(3).id, closer: [], values: [value])
        #expect(lookup.isFinished)
        #expect(lookup.nextQueries().isEmpty)
        let result = lookup.result
        #expect(result.outcome == .valueFound)
        #expect(result.values == [value])
        #expect(result.kind == .findValue)
        #expect(result.reachedNetwork)

        // Values in an answer to a FIND_NODE do not end it.
        var findNode = self.lookup(.findNode, seeds: [1, 2, 3, 4, 5])
        _ = findNode.nextQueries()
        findNode.handleAnswer(from: at(1).id, closer: [], values: [value])
        #expect(!findNode.isFinished)
        #expect(findNode.result.values.isEmpty)
    }

    @Test("GET_PROVIDERS ends once providersWanted distinct providers arrived")
    func getProvidersEndsWhenEnough() {
        var lookup = lookup(.getProviders, seeds: [1, 2, 3, 4, 5], configuration: configuration(providersWanted: 3))
        _ = lookup.nextQueries()
        let p1 = at(101), p2 = at(102), p3 = at(103)
        lookup.handleAnswer(from: at(1).id, closer: [], providers: [p1, p2])
        #expect(!lookup.isFinished)
        lookup.handleAnswer(from: at(2).id, closer: [], providers: [p2, p1])
        #expect(!lookup.isFinished)
        #expect(lookup.result.providers == [p1, p2])
        lookup.handleAnswer(from: at(3).id, closer: [], providers: [p2, p3])
        #expect(lookup.isFinished)
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.result.outcome == .enoughProviders)
        #expect(lookup.result.providers == [p1, p2, p3])
    }

    @Test("GET_PROVIDERS with providersWanted nil runs to convergence")
    func getProvidersWithoutLimit() {
        var lookup = lookup(.getProviders, seeds: [1, 2, 3], configuration: configuration(k: 3, providersWanted: nil))
        _ = lookup.nextQueries()
        for d: UInt64 in [1, 2, 3] {
            lookup.handleAnswer(from: at(d).id, closer: [], providers: (0..<30).map { at(1000 + $0 + 100 * d) })
        }
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.isFinished)
        #expect(lookup.result.outcome == .converged)
        #expect(lookup.result.providers.count == 90)
    }

    @Test("candidates are bounded at k + spares; a closer newcomer pushes out the farthest unasked one")
    func candidatesBounded() {
        var configuration = configuration(k: 2, alpha: 1)
        configuration.spareCandidates = 1
        var lookup = lookup(seeds: [10, 20, 30, 40], configuration: configuration)
        // 40 did not fit.
        #expect(lookup.nextQueries().map { distance($0.contact) } == [10])
        lookup.handleAnswer(from: at(10).id, closer: [at(5), at(50)])
        // 5 pushed out 30; 50 is farther than everything held.
        #expect(lookup.nextQueries().map { distance($0.contact) } == [5])
        lookup.handleAnswer(from: at(5).id, closer: [])
        #expect(lookup.nextQueries().isEmpty)
        #expect(lookup.isFinished)
        #expect(lookup.result.closest.map(distance) == [5, 10])
        #expect(lookup.result.messagesSent == 2)
    }
}
