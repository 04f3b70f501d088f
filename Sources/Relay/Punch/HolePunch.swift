import Kademlia

/// One hole punch: replacing a relayed connection with a direct one (docs/PROTOCOL.md, "Hole punching"), sans-I/O,
/// as libp2p's DCUtR does it.
///
/// The side that accepted the relayed connection (the private node, ``Side/acceptor``) starts: it sends `CONNECT`
/// with the addresses peers observe it at and notes the time; the other side (``Side/opener``) answers with its own.
/// The round trip measured so is what makes the two dials meet: the acceptor sends `SYNC` and dials half a round
/// trip later, the opener dials when `SYNC` arrives. Each side's SYN opens its own NAT for the other's, and the two
/// TCP connects become one connection (simultaneous open). An opener that is reachable directly says so, and the
/// acceptor simply dials it. Up to ``HolePunchConfiguration/maxAttempts`` attempts; then the connection stays
/// relayed.
///
/// In a simultaneous open both ends called `connect`, so neither is the listener the handshake's roles usually
/// follow: the opener is the secure channel's initiator, as on the relayed connection, whichever SYN got through.
/// A reversal is an ordinary connection to the opener's listener, which the acceptor initiates.
public struct HolePunch: Sendable {
    /// Which end of the relayed connection this node is.
    public enum Side: Hashable, Sendable {
        /// It asked the relay for the circuit (`CONNECT`): the fetcher.
        case opener
        /// It accepted the circuit through its reservation: the private node that was asked for.
        case acceptor
    }

    private enum State: Hashable {
        /// Opener: waiting for the acceptor's `CONNECT` or `SYNC`, until the deadline.
        case waiting(until: DHTInstant)
        /// Acceptor: `CONNECT` sent at `sentAt`; waiting for the answer.
        case awaitingAnswer(sentAt: DHTInstant, until: DHTInstant)
        /// Acceptor: `SYNC` sent; dials `addresses` at `at`.
        case dialingAt(DHTInstant, addresses: [NodeAddress])
        /// Either side: dials under way.
        case dialing(until: DHTInstant)
        /// Over.
        case finished(HolePunchOutcome)
    }

    /// Which end this is.
    public let side: Side
    /// The timing.
    public let configuration: HolePunchConfiguration
    private let ownAddresses: [NodeAddress]
    private let ownReachable: Bool
    private var peerAddresses: [NodeAddress] = []
    private var state: State
    /// Attempts started so far (`CONNECT`s sent by the acceptor, received by the opener).
    public private(set) var attempts = 0

    /// A punch for this end of a relayed connection; `addresses` are where peers observe this node (its NAT's
    /// address and port), `reachable` whether others can dial it (a public node).
    public init(
        side: Side,
        addresses: [NodeAddress],
        reachable: Bool,
        configuration: HolePunchConfiguration = HolePunchConfiguration(),
        now: DHTInstant
    ) {
        self.side = side
        self.configuration = configuration
        var unique: [NodeAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        self.ownAddresses = Array(unique.prefix(HolePunchMessage.maxAddresses))
        self.ownReachable = reachable
        self.state = .waiting(until: now + configuration.idleTimeout)
    }

    /// How it ended; `nil` while it runs.
    public var outcome: HolePunchOutcome? {
        if case .finished(let outcome) = state { return outcome }
        return nil
    }

    /// When ``tick(now:)`` is due next; `nil` once finished.
    public var nextDeadline: DHTInstant? {
        switch state {
        case .waiting(let until), .awaitingAnswer(_, let until), .dialing(let until): until
        case .dialingAt(let at, _): at
        case .finished: nil
        }
    }

    /// Starts the punch: the acceptor sends its first `CONNECT`; the opener waits for it.
    public mutating func start(now: DHTInstant) -> [HolePunchDirective] {
        guard side == .acceptor, case .waiting = state else { return [] }
        return sendConnect(now: now)
    }

    /// A message from the other side arrived over the relayed connection.
    public mutating func received(_ message: HolePunchMessage, now: DHTInstant) -> [HolePunchDirective] {
        switch (side, message, state) {
        case (.acceptor, .connect(let addresses, let reachable), .awaitingAnswer(let sentAt, _)):
            peerAddresses = Self.dialable(addresses)
            guard !peerAddresses.isEmpty else { return finish(.relayed(.noAddresses)) }
            if reachable {
                // Connection reversal: the opener can be dialed; nothing to synchronize. Its listener answers the
                // handshake, so this side initiates it.
                state = .dialing(until: now + configuration.dialTimeout)
                return [.dial(peerAddresses, channelInitiator: true)]
            }
            let roundTrip = now - sentAt
            state = .dialingAt(now + roundTrip / 2, addresses: peerAddresses)
            return [.send(.sync)]
        case (.opener, .connect(let addresses, _), .waiting), (.opener, .connect(let addresses, _), .dialing):
            // A new attempt (the previous one's dials failed on the acceptor's side, or have not ended here).
            attempts += 1
            peerAddresses = Self.dialable(addresses)
            state = .waiting(until: now + configuration.idleTimeout)
            return [.send(.connect(addresses: ownAddresses, reachable: ownReachable))]
        case (.opener, .sync, .waiting):
            // A reachable opener is dialed; it does not dial itself.
            guard !ownReachable, !peerAddresses.isEmpty else { return [] }
            state = .dialing(until: now + configuration.dialTimeout)
            return [.dial(peerAddresses, channelInitiator: true)]
        default:
            // Out of turn (a late answer to an attempt given up on): ignored.
            return []
        }
    }

    /// The dials of the current attempt ended: one connected (and its secure channel proved the other side), or
    /// all failed.
    public mutating func dialed(succeeded: Bool, now: DHTInstant) -> [HolePunchDirective] {
        guard case .dialing = state else { return [] }
        if succeeded { return finish(.direct(attempts: attempts)) }
        return attemptFailed(.dialFailed, now: now)
    }

    /// A direct connection to the other side was established another way (it dialed this node's listener).
    public mutating func connectedDirectly(now: DHTInstant) -> [HolePunchDirective] {
        guard outcome == nil else { return [] }
        return finish(.direct(attempts: max(attempts, 1)))
    }

    /// Time passed: the acceptor dials at its synchronized moment; answers and dials that took too long end
    /// their attempt.
    public mutating func tick(now: DHTInstant) -> [HolePunchDirective] {
        switch state {
        case .dialingAt(let at, let addresses) where now >= at:
            state = .dialing(until: now + configuration.dialTimeout)
            return [.dial(addresses, channelInitiator: false)]
        case .awaitingAnswer(_, let until) where now >= until:
            // The CONNECT may have been lost with a connection that closed under it, or the other side was slow:
            // another attempt, as for failed dials.
            return attemptFailed(.noAnswer, now: now)
        case .dialing(let until) where now >= until:
            return attemptFailed(.dialFailed, now: now)
        case .waiting(let until) where now >= until:
            return finish(.relayed(attempts == 0 ? .noAnswer : .dialFailed))
        default:
            return []
        }
    }

    private mutating func sendConnect(now: DHTInstant) -> [HolePunchDirective] {
        attempts += 1
        state = .awaitingAnswer(sentAt: now, until: now + configuration.answerTimeout)
        return [.send(.connect(addresses: ownAddresses, reachable: ownReachable))]
    }

    private mutating func attemptFailed(_ failure: HolePunchFailure, now: DHTInstant) -> [HolePunchDirective] {
        switch side {
        case .acceptor:
            guard attempts < configuration.maxAttempts else { return finish(.relayed(failure)) }
            return sendConnect(now: now)
        case .opener:
            // The acceptor starts the next attempt, if any.
            state = .waiting(until: now + configuration.idleTimeout)
            return []
        }
    }

    private mutating func finish(_ outcome: HolePunchOutcome) -> [HolePunchDirective] {
        state = .finished(outcome)
        return [.finished(outcome)]
    }

    /// At most ``HolePunchMessage/maxAddresses`` distinct addresses.
    private static func dialable(_ addresses: [NodeAddress]) -> [NodeAddress] {
        var unique: [NodeAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        return Array(unique.prefix(HolePunchMessage.maxAddresses))
    }
}
