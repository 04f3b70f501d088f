import Kademlia
import Testing

@testable import Relay

@Suite struct RelayReservationsTests {
    let t0 = DHTInstant(nanoseconds: 1_000_000_000)
    func contact(_ n: UInt8) -> Contact {
        Contact(id: try! NodeID(bytes: Array(repeating: n, count: 32)), address: NodeAddress(ipv4: 0x0a00_0000 | UInt32(n), port: 4001))
    }

    @Test func aPrivateNodeReservesTwoRelaysAndAnnouncesThem() {
        var core = RelayReservations()
        #expect(core.setActive(true, now: t0) == [.wantCandidates])
        #expect(core.offer([contact(1), contact(2), contact(3)], now: t0) == [.reserve(contact(1)), .reserve(contact(2))])
        #expect(core.reserved(contact(2).id, lifetime: .seconds(120), now: t0) == [.relaysChanged([contact(2)])])
        #expect(core.reserved(contact(1).id, lifetime: .seconds(120), now: t0) == [.relaysChanged([contact(2), contact(1)])])
        #expect(core.relays == [contact(2), contact(1)])
    }

    @Test func reservationsAreRenewedAtHalfTheirLifetime() {
        var core = RelayReservations()
        _ = core.setActive(true, now: t0)
        _ = core.offer([contact(1), contact(2)], now: t0)
        _ = core.reserved(contact(1).id, lifetime: .seconds(120), now: t0)
        _ = core.reserved(contact(2).id, lifetime: .seconds(120), now: t0)
        #expect(core.nextDeadline == t0 + .seconds(60))
        #expect(core.tick(now: t0 + .seconds(60)) == [.renew(contact(1).id), .renew(contact(2).id)])
        #expect(core.reserved(contact(1).id, lifetime: .seconds(120), now: t0 + .seconds(61)).isEmpty)
        // The second relay never answered the renewal: its reservation lapses and a third relay is asked.
        #expect(core.tick(now: t0 + .seconds(120)) == [
            .release(contact(2).id), .relaysChanged([contact(1)]), .wantCandidates,
        ])
    }

    @Test func aFailedRelayIsReplacedAndWaitsLongerEachTime() {
        var core = RelayReservations()
        _ = core.setActive(true, now: t0)
        _ = core.offer([contact(1), contact(2), contact(3)], now: t0)
        #expect(core.failed(contact(1).id, now: t0) == [.reserve(contact(3))])
        // Nobody else to try (candidates were asked for at t0, so not again yet): contact 1 again after 5 s.
        #expect(core.failed(contact(3).id, now: t0).isEmpty)
        #expect(core.tick(now: t0 + .seconds(4)).isEmpty)
        // (Contact 2's attempt is still under way: with contact 1 that makes two, so no candidates are asked for.)
        #expect(core.tick(now: t0 + .seconds(5)) == [.reserve(contact(1))])
        // Its second failure in a row: 10 s.
        _ = core.failed(contact(1).id, now: t0 + .seconds(5))
        #expect(core.tick(now: t0 + .seconds(9)).contains(.reserve(contact(1))) == false)
        #expect(core.tick(now: t0 + .seconds(15)).contains(.reserve(contact(1))))
    }

    @Test func anAttemptThatHangsFails() {
        var core = RelayReservations()
        _ = core.setActive(true, now: t0)
        _ = core.offer([contact(1)], now: t0)
        #expect(core.tick(now: t0 + .seconds(10)) == [.release(contact(1).id), .wantCandidates])
    }

    @Test func aNodeThatTurnsPublicReleasesItsRelays() {
        var core = RelayReservations()
        _ = core.setActive(true, now: t0)
        _ = core.offer([contact(1), contact(2)], now: t0)
        _ = core.reserved(contact(1).id, lifetime: .seconds(120), now: t0)
        #expect(core.setActive(false, now: t0) == [.release(contact(1).id), .release(contact(2).id), .relaysChanged([])])
        #expect(core.nextDeadline == nil)
    }

    @Test func relayedContactsAreNoCandidates() {
        var core = RelayReservations()
        _ = core.setActive(true, now: t0)
        var relayed = contact(1)
        relayed.relayed = true
        #expect(core.offer([relayed], now: t0).isEmpty)
    }
}
