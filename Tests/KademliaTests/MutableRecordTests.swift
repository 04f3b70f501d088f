import Testing

@testable import Kademlia

@Suite("Mutable records")
struct MutableRecordTests {
    let t0 = DHTInstant.seconds(1)
    let name = Array("/ipns/test-name".utf8)

    // MARK: - The store

    @Test("a store keeps the best record per key: higher sequence, or the same sequence valid for longer")
    func storeKeepsBest() {
        let validator = TestRecordValidator()
        var store = MutableRecordStore(localID: TestIDs.filled(0x01))
        let source = TestIDs.address(1).host
        func put(_ record: MutableRecord, at now: DHTInstant? = nil) -> StoreOutcome {
            store.store(record, verdict: validator.validate(record), from: source, now: now ?? t0)
        }
        let second = TestRecordValidator.record(name, sequence: 2)
        #expect(put(second) == .stored)
        #expect(put(TestRecordValidator.record(name, sequence: 1)) == .rejected(.outdatedRecord))
        #expect(put(TestRecordValidator.record(name, sequence: 2, validFor: 60)) == .rejected(.outdatedRecord))
        #expect(put(second) == .replaced)
        let longer = TestRecordValidator.record(name, sequence: 2, validFor: 7200)
        #expect(put(longer) == .replaced)
        #expect(store.record(for: second.key, now: t0) == longer)
        let third = TestRecordValidator.record(name, sequence: 3, validFor: 10)
        #expect(put(third) == .replaced)
        #expect(store.count == 1)
        // A record lives as long as its own validity.
        #expect(store.record(for: third.key, now: t0 + .seconds(9)) == third)
        #expect(store.record(for: third.key, now: t0 + .seconds(10)) == nil)
        #expect(store.expire(now: t0 + .seconds(10)) == 1)
    }

    @Test("forged, expired and oversized records are refused by the store")
    func storeRefusesInvalid() {
        let validator = TestRecordValidator()
        var store = MutableRecordStore(localID: TestIDs.filled(0x01))
        let source = TestIDs.address(1).host
        let forged = TestRecordValidator.record(name, sequence: 9, signedFor: Array("/ipns/other".utf8))
        #expect(store.store(forged, verdict: validator.validate(forged), from: source, now: t0) == .rejected(.invalidRecord))
        let expired = TestRecordValidator.record(name, sequence: 9, validFor: 0)
        #expect(store.store(expired, verdict: validator.validate(expired), from: source, now: t0) == .rejected(.invalidRecord))
        let oversized = MutableRecord(routingKey: name, bytes: [UInt8](repeating: 1, count: 1025))
        #expect(
            store.store(oversized, verdict: .valid(MutableRecordRank(sequence: 1, validFor: .seconds(1))), from: source, now: t0)
                == .rejected(.valueTooLarge))
        #expect(store.count == 0)
    }

    // MARK: - Across a network

    @Test("putRecord stores on the closest nodes; getRecord on another node finds it from several of them")
    func putThenGet() throws {
        var network = TestNetwork.bootstrapped(count: 12, seed: 21)
        let record = TestRecordValidator.record(name, sequence: 1)
        let put = network.command(3) { $0.putRecord(record, now: $1) }
        network.runUntilIdle()
        let publication = try #require(network.result(3, put)?.publication)
        #expect(publication.asked == 11)
        #expect(publication.accepted == 11)

        let get = network.command(3) { $0.getRecord(name, now: $1) }
        network.runUntilIdle()
        let resolution = try #require(network.result(3, get)?.resolution)
        #expect(resolution.record == record)
        #expect(resolution.rank?.sequence == 1)
        #expect(resolution.lookup.outcome == .enoughRecords)
        #expect(resolution.validAnswers == LookupConfiguration().recordsWanted)
        #expect(resolution.corrected == 0)
        #expect(!resolution.heldLocally)
    }

    @Test("getRecord of a key nobody published converges with no record")
    func getMissing() throws {
        var network = TestNetwork.bootstrapped(count: 8, seed: 22)
        let get = network.command(1) { $0.getRecord(name, now: $1) }
        network.runUntilIdle()
        let resolution = try #require(network.result(1, get)?.resolution)
        #expect(resolution.record == nil)
        #expect(resolution.lookup.outcome == .converged)
        #expect(resolution.validAnswers == 0)
    }

    @Test("a node that answers with an older record is sent the newest one")
    func correctsStaleHolder() throws {
        var configuration = KademliaConfiguration()
        configuration.lookup.recordsWanted = 20
        var network = TestNetwork.bootstrapped(count: 10, configuration: configuration, seed: 23)
        let first = TestRecordValidator.record(name, sequence: 1)
        network.command(0) { $0.putRecord(first, now: $1) }
        network.runUntilIdle()
        // Node 5 is away while the name moves on.
        network.silent = [5]
        let second = TestRecordValidator.record(name, sequence: 2)
        network.command(0) { $0.putRecord(second, now: $1) }
        network.runUntilIdle()
        network.silent = []
        #expect(network.nodes[5].records.record(for: first.key, now: network.now) == first)

        let get = network.command(8) { $0.getRecord(name, now: $1) }
        network.runUntilIdle()
        let resolution = try #require(network.result(8, get)?.resolution)
        #expect(resolution.record == second)
        #expect(resolution.heldLocally)
        #expect(resolution.corrected == 1)
        #expect(network.nodes[8].statistics.recordsCorrected == 1)
        #expect(network.nodes[5].records.record(for: first.key, now: network.now) == second)

        // A node that held the old record and looks the name up itself updates its own copy.
        network.silent = [6]
        let third = TestRecordValidator.record(name, sequence: 3)
        network.command(0) { $0.putRecord(third, now: $1) }
        network.runUntilIdle()
        network.silent = []
        let own = network.command(6) { $0.getRecord(name, now: $1) }
        network.runUntilIdle()
        #expect(network.result(6, own)?.resolution?.record == third)
        #expect(network.nodes[6].records.record(for: first.key, now: network.now) == third)
    }

    @Test("an answer the validator refuses is counted, not used, and does not end the lookup")
    func liarIgnored() throws {
        var network = TestNetwork()
        var random = SeededRandom(seed: 24)
        // Node 0 keeps whatever it is sent.
        network.addNode(id: NodeID.random(using: &random), recordValidator: AcceptingValidator(), seed: random.next())
        for index in 1..<8 {
            network.addNode(id: NodeID.random(using: &random), seed: random.next())
            let seed = network.addresses[0]
            network.command(index) { $0.bootstrap(from: [seed], now: $1) }
            network.runUntilIdle()
        }
        let real = TestRecordValidator.record(name, sequence: 1)
        network.command(1) { $0.putRecord(real, now: $1) }
        network.runUntilIdle()
        let forged = TestRecordValidator.record(name, sequence: 99, signedFor: Array("/ipns/mallory".utf8))
        let message = KademliaMessage(
            transactionID: TransactionID(rawValue: 5), sender: network.nodes[2].localID, body: .request(.putRecord(forged)))
        network.inject(message, from: network.addresses[2], to: 0)
        network.runUntilIdle()
        #expect(network.nodes[0].records.record(for: real.key, now: network.now) == forged)

        let get = network.command(4) { $0.getRecord(name, now: $1) }
        network.runUntilIdle()
        let resolution = try #require(network.result(4, get)?.resolution)
        #expect(resolution.record == real)
        #expect(resolution.invalidAnswers == 1)
        #expect(network.nodes[4].statistics.invalidRecordAnswers == 1)
    }

    @Test("forged, expired, oversized and older PUT_RECORDs are refused and counted by reason")
    func refusalsCounted() throws {
        var network = TestNetwork.bootstrapped(count: 3, seed: 25)
        let sender = network.nodes[1].localID
        var outcomes: [StoreOutcome] = []
        func send(_ record: MutableRecord, _ id: UInt64) {
            let message = KademliaMessage(
                transactionID: TransactionID(rawValue: id), sender: sender, body: .request(.putRecord(record)))
            let directives = network.nodes[0].handleMessage(message, from: network.addresses[1], now: network.now)
            for (message, _) in directives.sends {
                if case .stored(let outcome)? = message.response { outcomes.append(outcome) }
            }
        }
        send(TestRecordValidator.record(name, sequence: 5), 1)
        send(TestRecordValidator.record(name, sequence: 6, signedFor: Array("/ipns/other".utf8)), 2)
        send(TestRecordValidator.record(name, sequence: 6, validFor: 0), 3)
        send(MutableRecord(routingKey: name, bytes: [UInt8](repeating: 0x52, count: 1025)), 4)
        send(TestRecordValidator.record(name, sequence: 4), 5)
        #expect(
            outcomes == [
                .stored, .rejected(.invalidRecord), .rejected(.invalidRecord), .rejected(.valueTooLarge),
                .rejected(.outdatedRecord),
            ])
        let statistics = network.nodes[0].statistics
        #expect(statistics.recordsRefused == [.invalidRecord: 2, .valueTooLarge: 1, .outdatedRecord: 1])
        #expect(statistics.invalidRecordsRefused == ["bad_signature": 1, "expired": 1])
    }

    @Test("past the validation budget a PUT_RECORD is refused as busy before its signature is checked")
    func validationBudget() throws {
        var configuration = KademliaConfiguration()
        configuration.records.recordValidationsPerSecond = 5
        var network = TestNetwork.bootstrapped(count: 3, configuration: configuration, seed: 27)
        let sender = network.nodes[1].localID
        var outcomes: [StoreOutcome] = []
        for id in 1...15 {
            let forged = TestRecordValidator.record(name, sequence: UInt64(id), signedFor: Array("/ipns/other".utf8))
            let message = KademliaMessage(
                transactionID: TransactionID(rawValue: UInt64(id)), sender: sender, body: .request(.putRecord(forged)))
            for (reply, _) in network.nodes[0].handleMessage(message, from: network.addresses[1], now: network.now).sends {
                if case .stored(let outcome)? = reply.response { outcomes.append(outcome) }
            }
        }
        #expect(outcomes.filter { $0 == .rejected(.invalidRecord) }.count == 10)
        #expect(outcomes.filter { $0 == .rejected(.busy) }.count == 5)
        #expect(network.nodes[0].statistics.invalidRecordsRefused == ["bad_signature": 10])
        // A second later the budget has refilled by the rate.
        let later = network.now + .seconds(1)
        let record = TestRecordValidator.record(name, sequence: 1)
        let message = KademliaMessage(transactionID: TransactionID(rawValue: 99), sender: sender, body: .request(.putRecord(record)))
        let reply = network.nodes[0].handleMessage(message, from: network.addresses[1], now: later).sends.first?.message.response
        #expect(reply == .stored(.stored))
    }

    @Test("a node without a validator refuses every record and answers GET_RECORD with contacts only")
    func noValidator() throws {
        var instance = KademliaInstance(localID: TestIDs.filled(0x01), seed: 1, now: t0)
        let peer = TestIDs.contact(TestIDs.filled(0x80), 1)
        instance.restore(peer, now: t0)
        let record = TestRecordValidator.record(name, sequence: 1)
        let put = instance.handleMessage(
            KademliaMessage(transactionID: TransactionID(rawValue: 1), sender: peer.id, body: .request(.putRecord(record))),
            from: peer.address, now: t0)
        #expect(put.sends.first?.message.response == .stored(.rejected(.invalidRecord)))
        let get = instance.handleMessage(
            KademliaMessage(transactionID: TransactionID(rawValue: 2), sender: peer.id, body: .request(.getRecord(record.key))),
            from: peer.address, now: t0)
        #expect(get.sends.first?.message.response == .record(nil, closer: []))
        // Its own putRecord publishes nothing.
        let (_, directives) = instance.putRecord(record, now: t0)
        #expect(directives.sends.isEmpty)
        #expect(directives.completions.first?.1.publication?.asked == 0)
    }

    @Test("own records are republished every mutableRecordRepublishInterval while valid, then dropped")
    func republish() throws {
        var instance = KademliaInstance(
            localID: TestIDs.filled(0x01), recordValidator: TestRecordValidator(), seed: 1, now: t0)
        let peer = TestIDs.contact(TestIDs.filled(0x80), 1)
        instance.restore(peer, now: t0)
        let record = TestRecordValidator.record(name, sequence: 1)
        _ = instance.putRecord(record, now: t0)
        #expect(instance.publishedRecordCount == 1)
        let interval = instance.configuration.records.mutableRecordRepublishInterval
        let due = instance.tick(now: t0 + interval)
        #expect(due.sends.contains { $0.message.request == .findNode(record.key) && $0.to == peer.address })

        // A newer record under the same routing key replaces it; stopping ends it.
        _ = instance.putRecord(TestRecordValidator.record(name, sequence: 2), now: t0 + interval)
        #expect(instance.publishedRecordCount == 1)
        instance.stopPublishingRecord(name)
        #expect(instance.publishedRecordCount == 0)
    }

    @Test("held and own records survive a snapshot and restore")
    func snapshotRoundTrip() throws {
        var network = TestNetwork.bootstrapped(count: 4, seed: 26)
        let record = TestRecordValidator.record(name, sequence: 3)
        network.command(1) { $0.putRecord(record, now: $1) }
        network.runUntilIdle()
        let held = network.nodes[2].recordSnapshot(now: network.now)
        #expect(held.records.map(\.record) == [record])
        let own = network.nodes[1].recordSnapshot(now: network.now)
        #expect(own.own.compactMap(\.record) == [record])

        var restored = KademliaInstance(
            localID: network.nodes[2].localID, recordValidator: TestRecordValidator(), seed: 9, now: t0)
        restored.restoreRecords(held, now: t0)
        #expect(restored.records.record(for: record.key, now: t0) == record)
        var owner = KademliaInstance(
            localID: network.nodes[1].localID, recordValidator: TestRecordValidator(), seed: 9, now: t0)
        owner.restoreRecords(own, now: t0)
        #expect(owner.publishedRecordCount == 1)
    }
}

/// A validator that takes any record, as a node that keeps whatever it is sent would.
private struct AcceptingValidator: MutableRecordValidator {
    func validate(_ record: MutableRecord) -> MutableRecordVerdict {
        .valid(MutableRecordRank(sequence: 99, validFor: .seconds(3600)))
    }
}
