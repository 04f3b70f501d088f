import DHTCrypto
import Kademlia
import Testing

@testable import Relay

/// The relay core, driven by hand: each test plays the shell.
@Suite struct RelayInstanceTests {
    let t0 = DHTInstant(nanoseconds: 1_000_000_000)
    let private1 = NodeIdentity.generate()
    let privateAddress = NodeAddress(ipv4: 0x0a0b_0001, port: 40000)
    let connectorAddress = NodeAddress(ipv4: 0x0a0c_0001, port: 50000)

    func relay(_ change: (inout RelayConfiguration) -> Void = { _ in }) -> RelayInstance {
        var configuration = RelayConfiguration()
        change(&configuration)
        return RelayInstance(configuration: configuration, random: SeededRandom(seed: 1), now: t0)
    }

    /// Runs the reservation exchange for `identity` on connection `connection`; returns the directives of the proof.
    @discardableResult
    func reserve(
        _ relay: inout RelayInstance, _ identity: NodeIdentity, on connection: RelayConnectionID, at now: DHTInstant
    ) -> [RelayDirective] {
        #expect(relay.opened(connection, from: privateAddress, now: now).isEmpty)
        let key = identity.publicKey.bytes
        let challenge = relay.received(.reserve(publicKey: key), on: connection, now: now)
        guard case .send(connection, .challenge(let nonce))? = challenge.first else {
            Issue.record("no challenge: \(challenge)")
            return []
        }
        let signature = identity.sign(RelayProof.signedBytes(nonce: nonce, publicKey: key))
        return relay.received(.proof(signature: signature), on: connection, now: now)
    }

    var privateID: NodeID { NodeID(publicKeyBytes: private1.publicKey.bytes) }

    /// A reservation on c1, a connect on c2 and the accept on c3: the circuit's ID.
    func circuit(_ relay: inout RelayInstance) -> RelayCircuitID? {
        reserve(&relay, private1, on: RelayConnectionID(1), at: t0)
        _ = relay.opened(RelayConnectionID(2), from: connectorAddress, now: t0)
        let asked = relay.received(.connect(target: privateID), on: RelayConnectionID(2), now: t0)
        guard case .send(RelayConnectionID(1), .incoming(let token, let from))? = asked.first else {
            Issue.record("no incoming: \(asked)")
            return nil
        }
        #expect(from == connectorAddress)
        _ = relay.opened(RelayConnectionID(3), from: privateAddress, now: t0)
        let accepted = relay.received(.accept(token: token), on: RelayConnectionID(3), now: t0)
        guard case .splice(let id, RelayConnectionID(2), RelayConnectionID(3))? = accepted.last else {
            Issue.record("no splice: \(accepted)")
            return nil
        }
        let granted = RelayMessage.circuit(.ok, limits: relay.configuration.circuitLimits)
        #expect(accepted.prefix(2) == [.send(RelayConnectionID(2), granted), .send(RelayConnectionID(3), granted)])
        return id
    }

    @Test func aProvenKeyReservesAndIsTold() {
        var relay = relay()
        let directives = reserve(&relay, private1, on: RelayConnectionID(1), at: t0)
        #expect(directives == [
            .send(
                RelayConnectionID(1),
                .reserved(.ok, lifetimeSeconds: 120, limits: relay.configuration.circuitLimits, observed: privateAddress)),
        ])
        #expect(relay.holdsReservation(privateID))
        #expect(relay.statistics.reservationsGranted == 1)
    }

    @Test func aWrongSignatureIsRefused() {
        var relay = relay()
        _ = relay.opened(RelayConnectionID(1), from: privateAddress, now: t0)
        _ = relay.received(.reserve(publicKey: private1.publicKey.bytes), on: RelayConnectionID(1), now: t0)
        // Signed by another key.
        let forged = NodeIdentity.generate().sign([1, 2, 3])
        let directives = relay.received(.proof(signature: forged), on: RelayConnectionID(1), now: t0)
        #expect(directives == [
            .send(RelayConnectionID(1), .reserved(.refused, lifetimeSeconds: 0, limits: .none, observed: nil)),
            .close(RelayConnectionID(1)),
        ])
        #expect(!relay.holdsReservation(privateID))
    }

    @Test func aConnectSplicesWithTheAcceptingConnection() {
        var relay = relay()
        #expect(circuit(&relay) != nil)
        #expect(relay.circuitCount == 1)
        #expect(relay.statistics.circuitsOpened == 1)
    }

    @Test func aConnectToANodeWithoutReservationIsRefused() {
        var relay = relay()
        _ = relay.opened(RelayConnectionID(2), from: connectorAddress, now: t0)
        let directives = relay.received(.connect(target: privateID), on: RelayConnectionID(2), now: t0)
        #expect(directives == [
            .send(RelayConnectionID(2), .circuit(.noReservation, limits: .none)), .close(RelayConnectionID(2)),
        ])
    }

    @Test func aRelayTurnedOffRefusesEverything() {
        var relay = relay { $0.isEnabled = false }
        _ = relay.opened(RelayConnectionID(1), from: privateAddress, now: t0)
        #expect(relay.received(.reserve(publicKey: private1.publicKey.bytes), on: RelayConnectionID(1), now: t0) == [
            .send(RelayConnectionID(1), .reserved(.refused, lifetimeSeconds: 0, limits: .none, observed: nil)),
            .close(RelayConnectionID(1)),
        ])
    }

    @Test func theByteCapCutsTheCircuit() throws {
        var relay = relay { $0.circuitLimits = RelayCircuitLimits(bytes: 1000, seconds: 600) }
        let id = try #require(circuit(&relay))
        #expect(relay.forwarded(id, bytes: 600, now: t0).isEmpty)
        #expect(relay.forwarded(id, bytes: 400, now: t0).isEmpty)  // exactly the cap
        #expect(relay.forwarded(id, bytes: 1, now: t0) == [.cut(id, .bytes)])
        #expect(relay.circuitCount == 0)
        #expect(relay.statistics.cuts[.bytes] == 1)
        #expect(relay.statistics.bytesRelayed == 1001)
        // The reservation stays.
        #expect(relay.holdsReservation(privateID))
    }

    @Test func theTimeCapCutsTheCircuit() throws {
        var relay = relay { $0.circuitLimits = RelayCircuitLimits(bytes: 1 << 30, seconds: 30) }
        let id = try #require(circuit(&relay))
        #expect(relay.tick(now: t0 + .seconds(29)).isEmpty)
        #expect(relay.tick(now: t0 + .seconds(30)) == [.cut(id, .time)])
        #expect(relay.statistics.cuts[.time] == 1)
    }

    @Test func theTotalBandwidthPausesCircuits() throws {
        var relay = relay { $0.totalBytesPerSecond = 1000 }
        let id = try #require(circuit(&relay))
        #expect(relay.forwarded(id, bytes: 1000, now: t0).isEmpty)
        // 500 bytes over: half a second to wait.
        #expect(relay.forwarded(id, bytes: 500, now: t0) == [.pause(id, until: t0 + .milliseconds(500))])
        // A second later the debt is paid and half a second's worth is there again.
        #expect(relay.forwarded(id, bytes: 400, now: t0 + .seconds(1)).isEmpty)
    }

    @Test func aTargetThatDoesNotAcceptTimesOut() {
        var relay = relay()
        reserve(&relay, private1, on: RelayConnectionID(1), at: t0)
        _ = relay.opened(RelayConnectionID(2), from: connectorAddress, now: t0)
        _ = relay.received(.connect(target: privateID), on: RelayConnectionID(2), now: t0)
        #expect(relay.tick(now: t0 + .seconds(10)) == [
            .send(RelayConnectionID(2), .circuit(.timedOut, limits: .none)), .close(RelayConnectionID(2)),
        ])
    }

    @Test func aReservationNotRenewedEnds() {
        var relay = relay()
        reserve(&relay, private1, on: RelayConnectionID(1), at: t0)
        let renewed = relay.received(.renew, on: RelayConnectionID(1), now: t0 + .seconds(60))
        #expect(renewed.count == 1)
        #expect(relay.tick(now: t0 + .seconds(150)).isEmpty)
        #expect(relay.tick(now: t0 + .seconds(180)) == [.close(RelayConnectionID(1))])
        #expect(!relay.holdsReservation(privateID))
    }

    @Test func reservationsAreCapped() {
        var relay = relay { $0.maxReservations = 1 }
        reserve(&relay, private1, on: RelayConnectionID(1), at: t0)
        _ = relay.opened(RelayConnectionID(2), from: connectorAddress, now: t0)
        let other = NodeIdentity.generate()
        #expect(relay.received(.reserve(publicKey: other.publicKey.bytes), on: RelayConnectionID(2), now: t0) == [
            .send(RelayConnectionID(2), .reserved(.busy, lifetimeSeconds: 0, limits: .none, observed: nil)),
            .close(RelayConnectionID(2)),
        ])
        // The holder itself may reserve again (its old connection died): the new connection replaces the old.
        let again = reserve(&relay, private1, on: RelayConnectionID(3), at: t0)
        #expect(again.first == .close(RelayConnectionID(1)))
    }

    @Test func circuitsPerReservationAreCapped() {
        var relay = relay { $0.maxCircuitsPerReservation = 1 }
        reserve(&relay, private1, on: RelayConnectionID(1), at: t0)
        _ = relay.opened(RelayConnectionID(2), from: connectorAddress, now: t0)
        _ = relay.received(.connect(target: privateID), on: RelayConnectionID(2), now: t0)
        _ = relay.opened(RelayConnectionID(3), from: connectorAddress, now: t0)
        #expect(relay.received(.connect(target: privateID), on: RelayConnectionID(3), now: t0) == [
            .send(RelayConnectionID(3), .circuit(.busy, limits: .none)), .close(RelayConnectionID(3)),
        ])
        // The first connector gives up: its slot is free again.
        _ = relay.closed(RelayConnectionID(2), now: t0)
        _ = relay.opened(RelayConnectionID(4), from: connectorAddress, now: t0)
        let asked = relay.received(.connect(target: privateID), on: RelayConnectionID(4), now: t0)
        guard case .send(RelayConnectionID(1), .incoming)? = asked.first else {
            Issue.record("no incoming: \(asked)")
            return
        }
    }

    @Test func oneEndClosingClosesTheOther() throws {
        var relay = relay()
        _ = try #require(circuit(&relay))
        #expect(relay.closed(RelayConnectionID(3), now: t0) == [.close(RelayConnectionID(2))])
        #expect(relay.circuitCount == 0)
    }

    @Test func silentConnectionsCloseAtTheirDeadline() {
        var relay = relay()
        _ = relay.opened(RelayConnectionID(9), from: connectorAddress, now: t0)
        #expect(relay.nextDeadline == t0 + .seconds(10))
        #expect(relay.tick(now: t0 + .seconds(10)) == [.close(RelayConnectionID(9))])
        #expect(relay.statistics.connectionsDropped == 1)
    }

    @Test func pendingConnectionsAreCapped() {
        var relay = relay { $0.maxPendingConnections = 2 }
        #expect(relay.opened(RelayConnectionID(1), from: connectorAddress, now: t0).isEmpty)
        #expect(relay.opened(RelayConnectionID(2), from: connectorAddress, now: t0).isEmpty)
        #expect(relay.opened(RelayConnectionID(3), from: connectorAddress, now: t0) == [.close(RelayConnectionID(3))])
    }

    @Test func aMessageOutOfTurnClosesTheConnection() {
        var relay = relay()
        _ = relay.opened(RelayConnectionID(1), from: connectorAddress, now: t0)
        #expect(relay.received(.renew, on: RelayConnectionID(1), now: t0) == [.close(RelayConnectionID(1))])
    }
}
