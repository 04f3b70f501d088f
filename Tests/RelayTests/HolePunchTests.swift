import Kademlia
import Testing

@testable import Relay

@Suite struct HolePunchTests {
    let t0 = DHTInstant(nanoseconds: 1_000_000_000)
    /// The NATs' addresses peers observe: the acceptor behind 198.51.100.7, the opener behind 203.0.113.9.
    let acceptorAddress = NodeAddress(ipv4: 0xc633_6407, port: 4001)
    let openerAddress = NodeAddress(ipv4: 0xcb00_7109, port: 4002)

    func acceptor(reachable: Bool = false) -> HolePunch {
        HolePunch(side: .acceptor, addresses: [acceptorAddress], reachable: reachable, now: t0)
    }
    func opener(reachable: Bool = false) -> HolePunch {
        HolePunch(side: .opener, addresses: [openerAddress], reachable: reachable, now: t0)
    }

    @Test func bothSidesDialAtTheSameMomentHalfARoundTripAfterSync() {
        var a = acceptor()
        var o = opener()
        // The acceptor starts; the opener waits for it.
        #expect(o.start(now: t0).isEmpty)
        let connect = a.start(now: t0)
        #expect(connect == [.send(.connect(addresses: [acceptorAddress], reachable: false))])
        // 40 ms one way: the opener answers at 40 ms, the answer arrives at 80 ms.
        let answer = o.received(.connect(addresses: [acceptorAddress], reachable: false), now: t0 + .milliseconds(40))
        #expect(answer == [.send(.connect(addresses: [openerAddress], reachable: false))])
        #expect(a.received(.connect(addresses: [openerAddress], reachable: false), now: t0 + .milliseconds(80)) == [
            .send(.sync)
        ])
        // The acceptor dials at 80 + 40 ms; the SYNC reaches the opener at 120 ms and it dials then.
        #expect(a.nextDeadline == t0 + .milliseconds(120))
        #expect(a.tick(now: t0 + .milliseconds(119)).isEmpty)
        #expect(a.tick(now: t0 + .milliseconds(120)) == [.dial([openerAddress], channelInitiator: false)])
        #expect(o.received(.sync, now: t0 + .milliseconds(120)) == [.dial([acceptorAddress], channelInitiator: true)])
        #expect(a.dialed(succeeded: true, now: t0 + .milliseconds(200)) == [.finished(.direct(attempts: 1))])
        #expect(o.dialed(succeeded: true, now: t0 + .milliseconds(200)) == [.finished(.direct(attempts: 1))])
        #expect(a.nextDeadline == nil && o.nextDeadline == nil)
    }

    @Test func aReachableOpenerIsDialedByTheAcceptorWithoutSync() {
        var a = acceptor()
        var o = opener(reachable: true)
        _ = a.start(now: t0)
        #expect(o.received(.connect(addresses: [acceptorAddress], reachable: false), now: t0) == [
            .send(.connect(addresses: [openerAddress], reachable: true))
        ])
        // The acceptor initiates the handshake: the opener's listener answers it.
        #expect(a.received(.connect(addresses: [openerAddress], reachable: true), now: t0 + .milliseconds(10)) == [
            .dial([openerAddress], channelInitiator: true)
        ])
        // A reachable opener never dials, even if told to.
        #expect(o.received(.sync, now: t0 + .milliseconds(20)).isEmpty)
        #expect(o.connectedDirectly(now: t0 + .milliseconds(30)) == [.finished(.direct(attempts: 1))])
    }

    @Test func failedDialsAreRetriedThreeTimesThenTheConnectionStaysRelayed() {
        var a = acceptor()
        var now = t0
        var directives = a.start(now: now)
        for attempt in 1...3 {
            #expect(directives == [.send(.connect(addresses: [acceptorAddress], reachable: false))])
            #expect(a.attempts == attempt)
            now = now + .milliseconds(10)
            #expect(a.received(.connect(addresses: [openerAddress], reachable: false), now: now) == [.send(.sync)])
            now = now + .milliseconds(5)
            #expect(a.tick(now: now) == [.dial([openerAddress], channelInitiator: false)])
            now = now + .seconds(1)
            directives = a.dialed(succeeded: false, now: now)
        }
        #expect(directives == [.finished(.relayed(.dialFailed))])
        #expect(a.outcome == .relayed(.dialFailed))
    }

    @Test func aDialThatHangsEndsItsAttemptAtTheDialTimeout() {
        var a = acceptor()
        _ = a.start(now: t0)
        _ = a.received(.connect(addresses: [openerAddress], reachable: false), now: t0)
        _ = a.tick(now: t0)
        #expect(a.nextDeadline == t0 + a.configuration.dialTimeout)
        #expect(a.tick(now: t0 + a.configuration.dialTimeout) == [
            .send(.connect(addresses: [acceptorAddress], reachable: false))
        ])
        #expect(a.attempts == 2)
    }

    @Test func anAcceptorWithoutAnAnswerAsksAgainThenGivesUp() {
        var a = acceptor()
        var now = t0
        _ = a.start(now: now)
        for _ in 1..<3 {
            #expect(a.nextDeadline == now + a.configuration.answerTimeout)
            now = now + a.configuration.answerTimeout
            #expect(a.tick(now: now) == [.send(.connect(addresses: [acceptorAddress], reachable: false))])
        }
        now = now + a.configuration.answerTimeout
        #expect(a.tick(now: now) == [.finished(.relayed(.noAnswer))])
        // An answer after that changes nothing.
        #expect(a.received(.connect(addresses: [openerAddress], reachable: false), now: now + .seconds(1)).isEmpty)
    }

    @Test func anOpenerNeverStartedOnGivesUpQuietly() {
        var o = opener()
        #expect(o.tick(now: t0 + o.configuration.idleTimeout) == [.finished(.relayed(.noAnswer))])
    }

    @Test func anAnswerWithoutAddressesEndsThePunch() {
        var a = acceptor()
        _ = a.start(now: t0)
        #expect(a.received(.connect(addresses: [], reachable: false), now: t0) == [.finished(.relayed(.noAddresses))])
    }

    @Test func messagesOutOfTurnAreIgnored() {
        var a = acceptor()
        var o = opener()
        // SYNC before any CONNECT: the opener has nowhere to dial.
        #expect(o.received(.sync, now: t0).isEmpty)
        // An acceptor is never sent SYNC, and a CONNECT before it started is not an answer.
        #expect(a.received(.sync, now: t0).isEmpty)
        #expect(a.received(.connect(addresses: [openerAddress], reachable: false), now: t0).isEmpty)
        #expect(a.dialed(succeeded: true, now: t0).isEmpty)
    }

    @Test func addressesAreDeduplicatedAndCappedAtEight() {
        let many = (1...12).map { NodeAddress(ipv4: 0x0a00_0000 | UInt32($0), port: 4001) }
        var a = HolePunch(side: .acceptor, addresses: many + many, reachable: false, now: t0)
        #expect(a.start(now: t0) == [.send(.connect(addresses: Array(many.prefix(8)), reachable: false))])
        #expect(a.received(.connect(addresses: many + many, reachable: true), now: t0) == [
            .dial(Array(many.prefix(8)), channelInitiator: true)
        ])
    }

    // MARK: Wire

    @Test func connectAndSyncHaveAFixedLayout() throws {
        let ipv6 = NodeAddress(host: .ipv6(high: 0x2001_0db8_0000_0000, low: 1), port: 0xffff)
        let bytes = HolePunchMessage.connect(addresses: [acceptorAddress, ipv6], reachable: true).encoded()
        #expect(bytes == [0x01, 0x01, 0x02,
            0x04, 0xc6, 0x33, 0x64, 0x07, 0x0f, 0xa1,
            0x06, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0xff])
        #expect(try HolePunchMessage(decoding: bytes) == .connect(addresses: [acceptorAddress, ipv6], reachable: true))
        #expect(HolePunchMessage.sync.encoded() == [0x02])
        #expect(try HolePunchMessage(decoding: [0x02]) == .sync)
        #expect(try HolePunchMessage(decoding: [0x01, 0x00, 0x00]) == .connect(addresses: [], reachable: false))
    }

    @Test func malformedMessagesAreTypedErrors() {
        #expect(throws: HolePunchWireError.empty) { try HolePunchMessage(decoding: []) }
        #expect(throws: HolePunchWireError.unknownKind(3)) { try HolePunchMessage(decoding: [0x03]) }
        #expect(throws: HolePunchWireError.trailingBytes) { try HolePunchMessage(decoding: [0x02, 0x00]) }
        #expect(throws: HolePunchWireError.truncated) { try HolePunchMessage(decoding: [0x01, 0x00]) }
        #expect(throws: HolePunchWireError.unknownFlags(2)) { try HolePunchMessage(decoding: [0x01, 0x02, 0x00]) }
        #expect(throws: HolePunchWireError.tooManyAddresses(9)) { try HolePunchMessage(decoding: [0x01, 0x00, 0x09]) }
        #expect(throws: HolePunchWireError.badAddress) { try HolePunchMessage(decoding: [0x01, 0x00, 0x01, 0x04, 1, 2]) }
        #expect(throws: HolePunchWireError.badAddress) {
            try HolePunchMessage(decoding: [0x01, 0x00, 0x01, 0x04, 1, 2, 3, 4, 0, 0])
        }
        #expect(throws: HolePunchWireError.badAddress) {
            try HolePunchMessage(decoding: [0x01, 0x00, 0x01, 0x05, 1, 2, 3, 4, 0, 1])
        }
        #expect(throws: HolePunchWireError.trailingBytes) {
            try HolePunchMessage(decoding: [0x01, 0x00, 0x01, 0x04, 1, 2, 3, 4, 0, 1, 0xff])
        }
    }
}
