import Testing

@testable import Kademlia

@Suite("KademliaInstance")
struct KademliaInstanceTests {
    let t0 = DHTInstant.seconds(1)

    // MARK: - Joining and lookups

    @Test("bootstrap from one seed, then findNode returns the true k closest", arguments: [20, 8])
    func bootstrapThenFindNode(k: Int) throws {
        var network = TestNetwork.bootstrapped(count: 30, configuration: .withK(k), seed: 7)
        // Every join completed, each from one seed that answered.
        for node in 1..<30 {
            let results = try #require(network.completed[node])
            #expect(results.count == 1)
            guard case .bootstrap(let seedsAnswered, let lookup?) = results.first?.value else {
                Issue.record("node \(node): \(String(describing: results.first?.value))")
                continue
            }
            #expect(seedsAnswered == 1)
            #expect(lookup.outcome == .converged)
        }
        var random = SeededRandom(seed: 1234)
        for round in 0..<20 {
            let initiator = Int.random(in: 0..<30, using: &random)
            // Random targets, and the ID of another node.
            let target = round % 4 == 3 ? network.nodes[(initiator + 1) % 30].localID : NodeID.random(using: &random)
            let operation = network.command(initiator) { $0.findNode(target, now: $1) }
            network.runUntilIdle()
            let result = try #require(network.result(initiator, operation)?.lookup)
            #expect(result.outcome == .converged)
            #expect(result.closest.map(\.id) == network.trueClosest(to: target, count: k, excluding: initiator), "round \(round)")
            // Contacts carry their real addresses.
            for contact in result.closest {
                #expect(network.addresses[try #require(network.nodes.firstIndex { $0.localID == contact.id })] == contact.address)
            }
        }
    }

    @Test("a node knows every other node after the joins of a small network")
    func tablesFillAfterJoins() {
        let network = TestNetwork.bootstrapped(count: 12, seed: 3)
        for node in network.nodes.indices {
            #expect(network.nodes[node].routingTable.count == 11, "node \(node)")
            #expect(network.nodes[node].operationCount == 0)
            #expect(network.nodes[node].pendingRequestCount == 0)
        }
    }

    @Test("an unknown node that sends a request is verified by a ping before it enters the table")
    func unknownSenderVerified() throws {
        var network = TestNetwork.bootstrapped(count: 3, seed: 11)
        let stranger = Contact(id: TestIDs.filled(0x77), address: TestIDs.address(500))
        let request = KademliaMessage(transactionID: TransactionID(rawValue: 42), sender: stranger.id, body: .request(.findNode(stranger.id)))
        let directives = network.nodes[0].handleMessage(request, from: stranger.address, now: network.now)

        // The request is answered, and a ping goes to the stranger.
        let sends = directives.sends
        #expect(sends.count == 2)
        let answer = try #require(sends.first)
        #expect(answer.to == stranger.address)
        #expect(answer.message.transactionID == TransactionID(rawValue: 42))
        #expect(answer.message.response == .nodes(network.nodes[0].routingTable.closest(to: stranger.id, count: 20)))
        let ping = try #require(sends.last)
        #expect(ping.to == stranger.address)
        #expect(ping.message.request == .ping)
        #expect(!network.nodes[0].routingTable.contains(stranger.id))

        // A second request while the ping is out does not ping again.
        let again = network.nodes[0].handleMessage(request, from: stranger.address, now: network.now)
        #expect(again.sends.count == 1)

        // The pong admits it.
        let pong = KademliaMessage(transactionID: ping.message.transactionID, sender: stranger.id, body: .response(.pong))
        _ = network.nodes[0].handleMessage(pong, from: stranger.address, now: network.now + .milliseconds(30))
        #expect(network.nodes[0].routingTable.contains(stranger.id))
        #expect(network.nodes[0].routingTable.entry(for: stranger.id)?.contact.address == stranger.address)
        #expect(network.nodes[0].statistics.responsesMatched >= 1)
    }

    @Test("an unknown sender that never answers the verification ping stays out")
    func unknownSenderSilent() {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let stranger = Contact(id: TestIDs.filled(0x77), address: TestIDs.address(500))
        let request = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: stranger.id, body: .request(.ping))
        var directives = instance.handleMessage(request, from: stranger.address, now: t0)
        #expect(directives.sends.map(\.message.response) == [.pong, nil])
        // Fire the ping's timeouts (pingAttempts of them).
        var fired = 0
        while let (transaction, at) = directives.timeouts.first {
            fired += 1
            directives = instance.handleTimeout(transaction, now: at)
        }
        #expect(fired == KademliaConfiguration().pingAttempts)
        #expect(!instance.routingTable.contains(stranger.id))
        #expect(instance.routingTable.count == 0)
        #expect(instance.pendingRequestCount == 0)
    }

    @Test("a pong from another ID than the stranger's does not admit either")
    func verificationAnsweredByAnotherID() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let stranger = Contact(id: TestIDs.filled(0x77), address: TestIDs.address(500))
        let request = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: stranger.id, body: .request(.ping))
        let ping = try #require(instance.handleMessage(request, from: stranger.address, now: t0).sends.last)
        let impostor = TestIDs.filled(0x78)
        _ = instance.handleMessage(KademliaMessage(transactionID: ping.message.transactionID, sender: impostor, body: .response(.pong)), from: stranger.address, now: t0)
        #expect(!instance.routingTable.contains(stranger.id))
        #expect(!instance.routingTable.contains(impostor))
    }

    @Test("a response from another address than the request went to is ignored")
    func responseFromWrongAddressIgnored() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let peer = Contact(id: TestIDs.filled(0x55), address: TestIDs.address(1))
        let (operation, directives) = instance.ping(peer.address, now: t0)
        let request = try #require(directives.sends.first)
        #expect(request.to == peer.address)
        #expect(request.message.request == .ping)

        // Right transaction, right ID, wrong address.
        let pong = KademliaMessage(transactionID: request.message.transactionID, sender: peer.id, body: .response(.pong))
        let ignored = instance.handleMessage(pong, from: TestIDs.address(2), now: t0 + .milliseconds(20))
        #expect(ignored.isEmpty)
        #expect(instance.statistics.responsesUnmatched == 1)
        #expect(instance.statistics.responsesMatched == 0)
        #expect(!instance.routingTable.contains(peer.id))
        #expect(instance.pendingRequestCount == 1)
        #expect(instance.operationCount == 1)

        // An unknown transaction ID from the right address is ignored too.
        let unknown = KademliaMessage(transactionID: TransactionID(rawValue: request.message.transactionID.rawValue &+ 1), sender: peer.id, body: .response(.pong))
        #expect(instance.handleMessage(unknown, from: peer.address, now: t0).isEmpty)
        #expect(instance.statistics.responsesUnmatched == 2)

        // The real answer still completes the ping.
        let answered = instance.handleMessage(pong, from: peer.address, now: t0 + .milliseconds(40))
        let completion = try #require(answered.completions.first)
        #expect(completion.0 == operation)
        guard case .ping(let contact, let rtt) = completion.1 else {
            Issue.record("expected a ping result, got \(completion.1)")
            return
        }
        #expect(contact == peer)
        #expect(rtt == .milliseconds(40))
        #expect(instance.statistics.responsesMatched == 1)
        #expect(instance.routingTable.contains(peer.id))
        // A duplicate of the answer is unmatched.
        _ = instance.handleMessage(pong, from: peer.address, now: t0 + .milliseconds(41))
        #expect(instance.statistics.responsesUnmatched == 3)
    }

    // MARK: - Records

    @Test("put, then findValue from another node returns the value")
    func putThenFindValue() throws {
        var network = TestNetwork.bootstrapped(count: 20, configuration: .withK(5), seed: 21)
        let key = TestIDs.filled(0x3c)
        let data: [UInt8] = Array("hello, dht".utf8)
        let put = network.command(4) { $0.put(key, value: data, now: $1) }
        network.runUntilIdle()
        guard case .published(let lookup, let accepted, let asked) = try #require(network.result(4, put)) else {
            Issue.record("expected .published")
            return
        }
        #expect(asked == 5)
        #expect(accepted == 5)
        #expect(lookup.closest.map(\.id) == network.trueClosest(to: key, count: 5, excluding: 4))
        // Exactly those five hold it.
        let holders = network.nodes.indices.filter { !network.nodes[$0].values.values(for: key, now: network.now).isEmpty }
        #expect(Set(holders.map { network.nodes[$0].localID }) == Set(lookup.closest.map(\.id)))

        let reader = try #require(network.nodes.indices.first { $0 != 4 && !holders.contains($0) })
        let get = network.command(reader) { $0.findValue(key, now: $1) }
        network.runUntilIdle()
        let result = try #require(network.result(reader, get)?.lookup)
        #expect(result.outcome == .valueFound)
        #expect(result.values == [DHTValue(publisher: network.nodes[4].localID, data: data)])
        #expect(result.messagesSent > 0)

        // A holder answers from its own store at once.
        let (_, local) = network.nodes[holders[0]].findValue(key, now: network.now)
        guard case .lookup(let held)? = local.completions.first?.1 else {
            Issue.record("expected a local lookup result")
            return
        }
        #expect(held.outcome == .valueFound)
        #expect(held.hops == 0)
        #expect(local.sends.isEmpty)
    }

    @Test("findValue of a key nobody stored converges without values")
    func findValueMissing() throws {
        var network = TestNetwork.bootstrapped(count: 10, configuration: .withK(4), seed: 5)
        let get = network.command(2) { $0.findValue(TestIDs.filled(0x99), now: $1) }
        network.runUntilIdle()
        let result = try #require(network.result(2, get)?.lookup)
        #expect(result.outcome == .converged)
        #expect(result.values.isEmpty)
        #expect(result.closest.map(\.id) == network.trueClosest(to: TestIDs.filled(0x99), count: 4, excluding: 2))
    }

    @Test("provide, then getProviders from another node finds the provider")
    func provideThenGetProviders() throws {
        var network = TestNetwork.bootstrapped(count: 20, configuration: .withK(5), seed: 31)
        let key = TestIDs.filled(0xd4)
        let provide = network.command(9) { $0.provide(key, now: $1) }
        network.runUntilIdle()
        guard case .published(_, let accepted, let asked) = try #require(network.result(9, provide)) else {
            Issue.record("expected .published")
            return
        }
        #expect(asked == 5)
        #expect(accepted == 5)
        let holders = network.nodes.indices.filter { !network.nodes[$0].providers.providers(for: key, now: network.now).isEmpty }
        #expect(holders.count == 5)
        for holder in holders {
            #expect(network.nodes[holder].providers.providers(for: key, now: network.now) == [network.contact(9)])
        }

        let seeker = try #require(network.nodes.indices.first { $0 != 9 && !holders.contains($0) })
        let get = network.command(seeker) { $0.getProviders(key, now: $1) }
        network.runUntilIdle()
        let result = try #require(network.result(seeker, get)?.lookup)
        #expect(result.providers == [network.contact(9)])
        #expect(result.outcome == .converged)

        let quick = network.command(seeker) { $0.getProviders(key, wanted: 1, now: $1) }
        network.runUntilIdle()
        let first = try #require(network.result(seeker, quick)?.lookup)
        #expect(first.providers == [network.contact(9)])
        #expect(first.outcome == .enoughProviders)
        #expect(first.messagesSent < result.messagesSent, "\(first.messagesSent) vs \(result.messagesSent)")
    }

    @Test("getProviders reports each provider once, as it hears of it, before a slow holder lets the lookup end")
    func getProvidersReportsAsFound() throws {
        var network = TestNetwork.bootstrapped(count: 20, configuration: .withK(5), seed: 31)
        let key = TestIDs.filled(0xd4)
        for provider in [9, 13] {
            network.command(provider) { $0.provide(key, now: $1) }
            network.runUntilIdle()
        }
        let holders = network.nodes.indices.filter {
            !network.nodes[$0].providers.providers(for: key, now: network.now).isEmpty
        }
        let seeker = try #require(network.nodes.indices.first { ![9, 13].contains($0) && !holders.contains($0) })
        // One holder stops answering: a converging lookup waits for its timeouts, the reports do not.
        network.silent.insert(try #require(holders.first))
        let get = network.command(seeker) { $0.getProviders(key, now: $1) }
        while network.result(seeker, get) == nil, network.step() {}
        let ended = network.now
        let result = try #require(network.result(seeker, get)?.lookup)
        let reports = network.providersFound[seeker]?[get] ?? []
        let reported = reports.flatMap(\.providers)
        #expect(Set(result.providers) == [network.contact(9), network.contact(13)])
        #expect(reported.count == Set(reported).count, "a provider reported twice")
        #expect(Set(reported) == Set(result.providers))
        let firstReport = try #require(reports.first?.at)
        #expect(firstReport < ended, "reported at \(firstReport), the lookup ended at \(ended)")

        // A holder reports the provider records it holds at once, and not again when others name them.
        let holder = try #require(holders.dropFirst().first)
        let own = network.command(holder) { $0.getProviders(key, now: $1) }
        let atStart = network.now
        network.runUntilIdle()
        let ownResult = try #require(network.result(holder, own)?.lookup)
        let ownReports = network.providersFound[holder]?[own] ?? []
        let ownReported = ownReports.flatMap(\.providers)
        #expect(ownReports.first?.at == atStart)
        #expect(ownReported.count == Set(ownReported).count, "a provider reported twice: \(ownReported)")
        #expect(Set(ownReported) == Set(ownResult.providers))
    }

    @Test("tick returns .scheduleTick and expires records")
    func tickExpiresRecords() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        #expect(instance.start(now: t0).ticks == [t0 + .seconds(60)])
        let sender = Contact(id: TestIDs.filled(0x70), address: TestIDs.address(9))
        let key = TestIDs.filled(0x33)
        let store = KademliaMessage(transactionID: TransactionID(rawValue: 5), sender: sender.id, body: .request(.store(key, value: [7, 7], ttl: .seconds(90))))
        let answer = instance.handleMessage(store, from: sender.address, now: t0)
        #expect(answer.sends.first?.message.response == .stored(.stored))
        let provide = KademliaMessage(transactionID: TransactionID(rawValue: 6), sender: sender.id, body: .request(.addProvider(key)))
        #expect(instance.handleMessage(provide, from: sender.address, now: t0).sends.first?.message.response == .stored(.stored))
        #expect(instance.values.count == 1)
        #expect(instance.providers.count == 1)

        let first = instance.tick(now: t0 + .seconds(60))
        #expect(first.ticks == [t0 + .seconds(120)])
        #expect(first.sends.isEmpty)
        #expect(instance.values.count == 1)

        let second = instance.tick(now: t0 + .seconds(90))
        #expect(second.ticks == [t0 + .seconds(150)])
        #expect(instance.values.count == 0)
        #expect(instance.values.values(for: key, now: t0 + .seconds(90)).isEmpty)
        #expect(instance.providers.count == 1)

        _ = instance.tick(now: t0 + .seconds(48 * 3600))
        #expect(instance.providers.count == 0)
        #expect(instance.providers.keyCount == 0)
    }

    @Test("tick refreshes a bucket idle for bucketRefreshInterval")
    func tickRefreshesIdleBucket() {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let peer = Contact(id: TestIDs.filled(0x01).flippingBit(0), address: TestIDs.address(3))
        instance.restore(peer, now: t0)
        // Before the interval: no lookup; the next tick comes at the refresh deadline at the latest.
        let early = instance.tick(now: t0 + .seconds(3599))
        #expect(early.sends.isEmpty)
        #expect(early.ticks == [t0 + .seconds(3600)])
        let due = instance.tick(now: t0 + .seconds(3600))
        #expect(due.sends.count == 1)
        #expect(due.sends.first?.to == peer.address)
        guard case .findNode(let target)? = due.sends.first?.message.request else {
            Issue.record("expected a FIND_NODE")
            return
        }
        #expect(instance.localID.sharedPrefixLength(with: target) == 0)
    }

    // MARK: - Timeouts

    @Test("a lookup to a node that never answers ends with .noResponses after its timeouts")
    func lookupToSilentNode() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let silent = Contact(id: TestIDs.filled(0x80), address: TestIDs.address(4))
        instance.restore(silent, now: t0)
        let (operation, firstDirectives) = instance.findNode(TestIDs.filled(0x90), now: t0)
        var directives = firstDirectives
        var sendTimes: [DHTInstant] = [t0]
        var deadlines: [DHTInstant] = []
        var completions: [(OperationID, OperationResult)] = []
        var now = t0
        while let (transaction, at) = directives.timeouts.first {
            #expect(directives.sends.count == 1)
            #expect(directives.sends.first?.to == silent.address)
            deadlines.append(at)
            now = at
            directives = instance.handleTimeout(transaction, now: at)
            completions += directives.completions
            if !directives.sends.isEmpty { sendTimes.append(at) }
            #expect(deadlines.count <= 5)
            if deadlines.count > 5 { break }
        }
        // 1 s, then × 1.5 per retransmission (1.5 s, 2.25 s, 3.375 s, then capped at 4 s).
        #expect(deadlines == [t0 + .seconds(1), t0 + .milliseconds(2500), t0 + .milliseconds(4750), t0 + .milliseconds(8125), t0 + .milliseconds(12125)])
        #expect(sendTimes.count == 5)
        #expect(completions.count == 1)
        let completion = try #require(completions.first)
        #expect(completion.0 == operation)
        let result = try #require(completion.1.lookup)
        #expect(result.outcome == .noResponses)
        #expect(result.closest.isEmpty)
        #expect(result.timeouts == LookupConfiguration().attemptsPerContact)
        #expect(result.messagesSent == LookupConfiguration().attemptsPerContact)
        #expect(now == t0 + .milliseconds(12125))
        #expect(instance.operationCount == 0)
        #expect(instance.pendingRequestCount == 0)
        #expect(instance.statistics.timeouts == LookupConfiguration().attemptsPerContact)
        // The failure is recorded: the contact stays but is not handed out.
        #expect(instance.routingTable.entry(for: silent.id)?.failures == 1)
        #expect(instance.routingTable.closest(to: silent.id, count: 20).isEmpty)
    }

    @Test("a lookup in the test network to a node that left completes with the others after the timeouts")
    func lookupWithOneSilentNode() throws {
        var network = TestNetwork.bootstrapped(count: 10, configuration: .withK(4), seed: 17)
        let target = network.nodes[5].localID
        network.silent = [5]
        let operation = network.command(0) { $0.findNode(target, now: $1) }
        let startedAt = network.now
        network.runUntilIdle()
        let result = try #require(network.result(0, operation)?.lookup)
        #expect(result.outcome == .converged)
        #expect(!result.closest.contains { $0.id == target })
        let others = network.trueClosest(to: target, count: 5, excluding: 0).filter { $0 != target }
        #expect(result.closest.map(\.id) == others)
        #expect(result.timeouts == LookupConfiguration().attemptsPerContact)
        // Timeouts follow the measured RTT here (at least 50 ms, doubled per attempt): 4 of them take ≥ 750 ms.
        #expect(network.now >= startedAt + .milliseconds(750))
        // The failure is recorded: node 0 no longer hands the silent node out.
        #expect(network.nodes[0].routingTable.closest(to: target, count: 1).first?.id != target)
    }

    @Test("bootstrap from an address that never answers completes with no seeds answered")
    func bootstrapFromSilentSeed() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let (operation, firstDirectives) = instance.bootstrap(from: [TestIDs.address(8)], now: t0)
        var directives = firstDirectives
        var completions: [(OperationID, OperationResult)] = []
        var fired = 0
        while let (transaction, at) = directives.timeouts.first, fired < 10 {
            fired += 1
            directives = instance.handleTimeout(transaction, now: at)
            completions += directives.completions
        }
        #expect(fired == LookupConfiguration().attemptsPerContact)
        let completion = try #require(completions.first)
        #expect(completion.0 == operation)
        guard case .bootstrap(let seedsAnswered, let lookup) = completion.1 else {
            Issue.record("expected a bootstrap result")
            return
        }
        #expect(seedsAnswered == 0)
        #expect(lookup?.outcome == .noContacts)

        // With its table still empty, the maintenance tick joins again from the same seed, and does not start a
        // second join while that one runs.
        #expect(instance.bootstrapSeeds == [TestIDs.address(8)])
        let later = t0 + .seconds(60)
        let tick = instance.tick(now: later)
        #expect(tick.sends.map(\.to) == [TestIDs.address(8)])
        if case .request(.findNode(let target))? = tick.sends.first?.message.body {
            #expect(target == instance.localID)
        } else {
            Issue.record("expected a FIND_NODE for our own ID")
        }
        #expect(instance.tick(now: later + .seconds(1)).sends.isEmpty)
    }

    @Test("bootstrap from a silent seed and a live one: the live one's contacts are used")
    func bootstrapWithOneSilentSeed() throws {
        var network = TestNetwork.bootstrapped(count: 6, seed: 41)
        var random = SeededRandom(seed: 4242)
        let joiner = network.addNode(id: NodeID.random(using: &random))
        let silentSeed = TestIDs.address(900)
        let liveSeed = network.addresses[2]
        let operation = network.command(joiner) { $0.bootstrap(from: [silentSeed, liveSeed], now: $1) }
        network.runUntilIdle()
        guard case .bootstrap(let seedsAnswered, let lookup?) = try #require(network.result(joiner, operation)) else {
            Issue.record("expected a bootstrap result")
            return
        }
        #expect(seedsAnswered == 1)
        #expect(lookup.outcome == .converged)
        #expect(network.nodes[joiner].routingTable.count == 6)
        // The others took the joiner in after verifying it.
        for node in 0..<6 {
            #expect(network.nodes[node].routingTable.contains(network.nodes[joiner].localID), "node \(node)")
        }
    }

    @Test("STORE requests are answered with the store's outcome")
    func storeOutcomes() {
        var configuration = KademliaConfiguration()
        configuration.records.maxValueBytes = 4
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: configuration, seed: 1, now: t0)
        let sender = Contact(id: TestIDs.filled(0x70), address: TestIDs.address(9))
        func store(_ value: [UInt8], ttl: Duration, id: UInt64) -> KademliaResponse? {
            let message = KademliaMessage(transactionID: TransactionID(rawValue: id), sender: sender.id, body: .request(.store(TestIDs.filled(0x33), value: value, ttl: ttl)))
            return instance.handleMessage(message, from: sender.address, now: t0).sends.first?.message.response
        }
        #expect(store([1, 2, 3, 4, 5], ttl: .seconds(60), id: 1) == .stored(.rejected(.valueTooLarge)))
        #expect(store([1], ttl: .zero, id: 2) == .stored(.rejected(.invalidTTL)))
        #expect(store([1], ttl: .seconds(60), id: 3) == .stored(.stored))
        #expect(store([2], ttl: .seconds(60), id: 4) == .stored(.replaced))
        #expect(instance.values.values(for: TestIDs.filled(0x33), now: t0) == [DHTValue(publisher: sender.id, data: [2])])
        // A FIND_VALUE is answered with the value.
        let find = KademliaMessage(transactionID: TransactionID(rawValue: 5), sender: sender.id, body: .request(.findValue(TestIDs.filled(0x33))))
        #expect(instance.handleMessage(find, from: sender.address, now: t0).sends.first?.message.response == .values([DHTValue(publisher: sender.id, data: [2])]))
        #expect(instance.statistics.requestsAnswered == 5)
    }

    @Test("commands beyond maxOperations are refused")
    func tooManyOperations() {
        var configuration = KademliaConfiguration()
        configuration.maxOperations = 2
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), configuration: configuration, seed: 1, now: t0)
        _ = instance.ping(TestIDs.address(1), now: t0)
        _ = instance.ping(TestIDs.address(2), now: t0)
        let (_, refused) = instance.ping(TestIDs.address(3), now: t0)
        #expect(refused.sends.isEmpty)
        guard case .refusedTooManyOperations? = refused.completions.first?.1 else {
            Issue.record("expected a refusal")
            return
        }
        #expect(instance.operationCount == 2)
    }

    @Test("the same seed gives the same run")
    func deterministic() {
        let first = TestNetwork.bootstrapped(count: 15, seed: 99)
        let second = TestNetwork.bootstrapped(count: 15, seed: 99)
        #expect(first.sent.count == second.sent.count)
        #expect(first.sent.map(\.message.transactionID) == second.sent.map(\.message.transactionID))
        #expect(first.nodes.map(\.statistics) == second.nodes.map(\.statistics))
        #expect(first.now == second.now)
    }
}

@Suite("KademliaInstance maintenance")
struct KademliaInstanceMaintenanceTests {
    let t0 = DHTInstant.seconds(1)
    let localID = TestIDs.filled(0x01)

    /// An instance with k = 2 whose bucket 0 holds `first` (least recently seen) and `second`.
    func instanceWithFullBucket() -> (KademliaInstance, Contact, Contact) {
        var instance = KademliaInstance(localID: localID, configuration: .withK(2), seed: 1, now: t0)
        var random = SeededRandom(seed: 8)
        let first = TestIDs.contact(localID.randomID(sharingPrefixLength: 0, using: &random), 1)
        let second = TestIDs.contact(localID.randomID(sharingPrefixLength: 0, using: &random), 2)
        instance.restore(first, now: t0)
        instance.restore(second, now: t0 + .seconds(1))
        return (instance, first, second)
    }

    /// Pings `newcomer` at `now` and has it answer; returns the directives of the answer.
    func admit(_ newcomer: Contact, to instance: inout KademliaInstance, now: DHTInstant) throws -> [KademliaDirective] {
        let (_, directives) = instance.ping(newcomer.address, now: now)
        let ping = try #require(directives.sends.first)
        let pong = KademliaMessage(transactionID: ping.message.transactionID, sender: newcomer.id, body: .response(.pong))
        return instance.handleMessage(pong, from: newcomer.address, now: now + .milliseconds(20))
    }

    @Test("a stale least-recently-seen contact is pinged; if it is silent, the newcomer takes its place")
    func evictionPingFails() throws {
        var (instance, first, second) = instanceWithFullBucket()
        var random = SeededRandom(seed: 9)
        let newcomer = TestIDs.contact(localID.randomID(sharingPrefixLength: 0, using: &random), 3)
        let stale = t0 + .seconds(15 * 60)
        var directives = try admit(newcomer, to: &instance, now: stale)
        #expect(directives.sends.map(\.to) == [first.address])
        #expect(directives.sends.first?.message.request == .ping)
        #expect(!instance.routingTable.contains(newcomer.id))
        var fired = 0
        while let (transaction, at) = directives.timeouts.first, fired < 5 {
            fired += 1
            directives = instance.handleTimeout(transaction, now: at)
        }
        #expect(fired == KademliaConfiguration().pingAttempts)
        #expect(instance.routingTable.contains(newcomer.id))
        #expect(!instance.routingTable.contains(first.id))
        #expect(instance.routingTable.contains(second.id))
    }

    @Test("a stale least-recently-seen contact that answers the eviction ping stays")
    func evictionPingAnswered() throws {
        var (instance, first, second) = instanceWithFullBucket()
        var random = SeededRandom(seed: 9)
        let newcomer = TestIDs.contact(localID.randomID(sharingPrefixLength: 0, using: &random), 3)
        let stale = t0 + .seconds(15 * 60)
        let directives = try admit(newcomer, to: &instance, now: stale)
        let check = try #require(directives.sends.first)
        let pong = KademliaMessage(transactionID: check.message.transactionID, sender: first.id, body: .response(.pong))
        _ = instance.handleMessage(pong, from: first.address, now: stale + .milliseconds(50))
        #expect(instance.routingTable.contains(first.id))
        #expect(instance.routingTable.contains(second.id))
        #expect(!instance.routingTable.contains(newcomer.id))
        #expect(instance.routingTable.buckets[0].entries.last?.contact == first)
    }

    @Test("a fresh full bucket: the newcomer waits, nobody is pinged")
    func freshBucketNoPing() throws {
        var (instance, _, _) = instanceWithFullBucket()
        var random = SeededRandom(seed: 9)
        let newcomer = TestIDs.contact(localID.randomID(sharingPrefixLength: 0, using: &random), 3)
        let directives = try admit(newcomer, to: &instance, now: t0 + .seconds(60))
        #expect(directives.sends.isEmpty)
        #expect(!instance.routingTable.contains(newcomer.id))
        #expect(instance.routingTable.buckets[0].replacements == [newcomer])
    }

    @Test("an answer from another ID than the one asked removes the one asked and fails it in the lookup")
    func answerFromAnotherID() throws {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let asked = TestIDs.contact(TestIDs.filled(0x80), 1)
        instance.restore(asked, now: t0)
        let (operation, directives) = instance.findNode(TestIDs.filled(0x90), now: t0)
        let request = try #require(directives.sends.first)
        let other = TestIDs.filled(0x81)
        let answer = KademliaMessage(transactionID: request.message.transactionID, sender: other, body: .response(.nodes([])))
        let after = instance.handleMessage(answer, from: asked.address, now: t0 + .milliseconds(30))
        #expect(!instance.routingTable.contains(asked.id))
        #expect(!instance.routingTable.contains(other))
        let completion = try #require(after.completions.first)
        #expect(completion.0 == operation)
        #expect(completion.1.lookup?.outcome == .noResponses)
    }

    @Test("own values are republished every valueRepublishInterval until stopPublishing")
    func republish() throws {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let peer = TestIDs.contact(TestIDs.filled(0x80), 1)
        instance.restore(peer, now: t0)
        let key = TestIDs.filled(0x42)
        _ = instance.put(key, value: [1], now: t0)
        let interval = instance.configuration.records.valueRepublishInterval
        // Keep the bucket from falling due for refresh.
        let before = instance.tick(now: t0 + interval - .seconds(1))
        #expect(!before.sends.contains { $0.message.request == .findNode(key) })
        let due = instance.tick(now: t0 + interval)
        #expect(due.sends.contains { $0.message.request == .findNode(key) && $0.to == peer.address })
        #expect(due.ticks.count == 1)

        instance.stopPublishing(key, provider: false)
        let later = instance.tick(now: t0 + interval * 2)
        #expect(!later.sends.contains { $0.message.request == .findNode(key) })
    }
}

@Suite("KademliaInstance commands alone")
struct KademliaInstanceAloneTests {
    let t0 = DHTInstant.seconds(1)
    let localID = TestIDs.filled(0x01)

    /// Fires every timeout the directives ask for, in order, until none is left; returns the completions.
    func fireTimeouts(_ instance: inout KademliaInstance, from directives: [KademliaDirective], limit: Int = 20) -> (completions: [(OperationID, OperationResult)], fired: Int) {
        var directives = directives
        var completions = directives.completions
        var fired = 0
        while let (transaction, at) = directives.timeouts.first, fired < limit {
            fired += 1
            directives = instance.handleTimeout(transaction, now: at)
            completions += directives.completions
        }
        return (completions, fired)
    }

    @Test("a ping nobody answers completes with no contact after pingAttempts")
    func pingUnanswered() throws {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let (operation, directives) = instance.ping(TestIDs.address(5), now: t0)
        let (completions, fired) = fireTimeouts(&instance, from: directives)
        #expect(fired == KademliaConfiguration().pingAttempts)
        #expect(completions.count == 1)
        let completion = try #require(completions.first)
        #expect(completion.0 == operation)
        guard case .ping(let contact, let rtt) = completion.1 else {
            Issue.record("expected a ping result")
            return
        }
        #expect(contact == nil)
        #expect(rtt == nil)
        #expect(instance.operationCount == 0)
    }

    @Test("put with an empty routing table completes at once with nobody asked")
    func putAlone() throws {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let (operation, directives) = instance.put(TestIDs.filled(0x22), value: [1], now: t0)
        #expect(directives.sends.isEmpty)
        let completion = try #require(directives.completions.first)
        #expect(completion.0 == operation)
        guard case .published(let lookup, let accepted, let asked) = completion.1 else {
            Issue.record("expected .published")
            return
        }
        #expect(lookup.outcome == .noContacts)
        #expect(accepted == 0)
        #expect(asked == 0)
    }

    @Test("getProviders includes the providers this node holds")
    func getProvidersIncludesLocal() throws {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let provider = Contact(id: TestIDs.filled(0x70), address: TestIDs.address(9))
        let key = TestIDs.filled(0x33)
        let announce = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: provider.id, body: .request(.addProvider(key)))
        _ = instance.handleMessage(announce, from: provider.address, now: t0)
        let (id, directives) = instance.getProviders(key, now: t0)
        guard case .providersFound(id, [provider]) = directives.first else {
            Issue.record("expected the held provider reported first, got \(directives)")
            return
        }
        let result = try #require(directives.completions.first?.1.lookup)
        #expect(result.outcome == .noContacts)
        #expect(result.providers == [provider])
    }

    @Test("at most maxVerifications unknown senders are pinged at once")
    func verificationsBounded() {
        var configuration = KademliaConfiguration()
        configuration.maxVerifications = 1
        var instance = KademliaInstance(localID: localID, configuration: configuration, seed: 1, now: t0)
        var pings = 0
        for index in 0..<3 {
            let sender = Contact(id: TestIDs.filled(0x70 + UInt8(index)), address: TestIDs.address(10 + index))
            let request = KademliaMessage(transactionID: TransactionID(rawValue: UInt64(index)), sender: sender.id, body: .request(.ping))
            let directives = instance.handleMessage(request, from: sender.address, now: t0)
            // Every request is answered.
            #expect(directives.sends.first?.message.response == .pong)
            pings += directives.sends.filter { $0.message.request == .ping }.count
        }
        #expect(pings == 1)
        #expect(instance.pendingRequestCount == 1)
    }

    @Test("messages that claim our own ID are dropped")
    func ownIDDropped() {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let request = KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: localID, body: .request(.ping))
        #expect(instance.handleMessage(request, from: TestIDs.address(3), now: t0).isEmpty)
        #expect(instance.statistics.requestsAnswered == 0)
    }
}

@Suite("Own records that reached nobody")
struct UnannouncedRecordTests {
    @Test("a key provided while the table is empty is announced once a contact arrives, not at the next republication")
    func providedAloneIsAnnouncedWhenAPeerAppears() throws {
        var network = TestNetwork()
        let seedNode = network.addNode(id: TestIDs.filled(0x10))
        let lonely = network.addNode(id: TestIDs.filled(0x80))
        let key = TestIDs.filled(0x42)
        let provide = network.command(lonely) { $0.provide(key, now: $1) }
        network.runUntilIdle()
        guard case .published(_, let accepted, _) = try #require(network.result(lonely, provide)) else {
            Issue.record("expected .published")
            return
        }
        #expect(accepted == 0)
        #expect(network.nodes[lonely].unannouncedRecordCount == 1)

        let seedAddress = network.addresses[seedNode]
        network.command(lonely) { $0.bootstrap(from: [seedAddress], now: $1) }
        network.runUntilIdle()
        let settle = network.nodes[lonely].configuration.records.unannouncedSettleDelay
        let wake = try #require(network.ticks[lonely])
        #expect(wake <= network.now + settle, "the announcement waits for the next republication")
        #expect(network.nodes[seedNode].providers.providers(for: key, now: network.now).isEmpty)

        network.run(until: wake)
        network.apply(network.nodes[lonely].tick(now: network.now), from: lonely)
        network.runUntilIdle()
        #expect(network.nodes[seedNode].providers.providers(for: key, now: network.now) == [network.contact(lonely)])
        #expect(network.nodes[lonely].unannouncedRecordCount == 0)
    }

    @Test("an announcement that reached nobody is tried again after unannouncedRetryInterval, not 22 h later")
    func unansweredAnnouncementRetries() throws {
        let t0 = DHTInstant.seconds(1)
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let peer = TestIDs.contact(TestIDs.filled(0x80), 1)
        instance.restore(peer, now: t0)
        let key = TestIDs.filled(0x42)
        var directives = instance.provide(key, now: t0).1
        // The peer never answers: every lookup and store request times out.
        var now = t0
        while let (transaction, at) = directives.timeouts.first {
            now = at
            directives = instance.handleTimeout(transaction, now: at)
        }
        #expect(instance.unannouncedRecordCount == 1)
        instance.restore(peer, now: now)
        let retry = t0 + instance.configuration.records.unannouncedRetryInterval + .seconds(30)
        let due = instance.tick(now: retry)
        #expect(due.sends.contains { $0.message.request == .findNode(key) })
    }
}

@Suite("providers behind relays")
struct RelayedProviderTests {
    let localID = TestIDs.filled(0x10)
    let t0 = DHTInstant.seconds(1)

    @Test("an ADD_PROVIDER with relays is recorded at each relay, charged to its source, and replaces the old ones")
    func recordedAtRelays() {
        var instance = KademliaInstance(localID: localID, seed: 1, now: t0)
        let sender = Contact(id: TestIDs.filled(0x70), address: TestIDs.address(9))
        let key = TestIDs.filled(0x33)
        let (first, second, third) = (TestIDs.address(20), TestIDs.address(21), TestIDs.address(22))
        func announce(_ relays: [NodeAddress], _ id: UInt64) {
            let message = KademliaMessage(
                transactionID: TransactionID(rawValue: id), sender: sender.id,
                body: .request(.addProvider(key, relays: relays)), isClient: true)
            let directives = instance.handleMessage(message, from: sender.address, now: t0)
            #expect(directives.sends.first?.message.response == .stored(.stored))
        }
        announce([first, second], 1)
        #expect(instance.providers.providers(for: key, now: t0) == [
            Contact(id: sender.id, address: first, relayed: true), Contact(id: sender.id, address: second, relayed: true),
        ])
        #expect(instance.providers.count(from: sender.address.host) == 2)
        #expect(instance.providers.count(from: first.host) == 0)
        // The node moved to other relays: the record at the relay it left is dropped.
        announce([second, third], 2)
        #expect(instance.providers.providers(for: key, now: t0) == [
            Contact(id: sender.id, address: second, relayed: true), Contact(id: sender.id, address: third, relayed: true),
        ])
        #expect(instance.providers.count(from: sender.address.host) == 2)
    }
}
