/// Whether this node can be reached from outside, found out by dial-backs: a pure state machine with deadlines
/// (docs/PROTOCOL.md, "Reachability and client mode").
///
/// The node asks a peer B (`DIAL_BACK`) to have a third node C send a probe to the address B sees the request come
/// from. B answers with that *observed* address and whether a probe went out (`DIAL_STATUS`). A probe that arrives
/// from an address this node never sent to could only pass a NAT or firewall that lets in what nobody asked for:
/// the node is reachable. A probe that went out and did not arrive within ``ReachabilityConfiguration/probeWait``
/// was filtered: not reachable. A refusal or no answer tells nothing.
///
/// The status follows the newest results, one per peer (at most ``ReachabilityConfiguration/window``): `public` once
/// ``ReachabilityConfiguration/confirmations`` of them were reached, `private` once as many were not. Until the
/// status is settled (decided, with the newest result agreeing), it keeps
/// ``ReachabilityConfiguration/checksAtOnce`` dial-backs in flight; then one every
/// ``ReachabilityConfiguration/recheckInterval``. A new observed IP drops the results taken at the old one, so the
/// node checks again at once.
///
/// It owns no clock and no randomness: the ``KademliaInstance`` that runs it passes `now`, the peers it may ask,
/// and its generator, sends what it plans, and feeds back what arrives.
public struct Reachability: Sendable {
    /// The rules in force.
    public let configuration: ReachabilityConfiguration
    /// The current decision.
    public private(set) var status: ReachabilityStatus = .unknown
    /// Counters for metrics and tests.
    public private(set) var counters = Counters()

    /// One finished dial-back.
    struct Result: Sendable {
        var peer: NodeID
        var reached: Bool
        var host: NodeAddress.Host?
    }

    /// A dial-back in flight.
    struct Check: Sendable {
        var peer: Contact
        /// Once the peer said a probe went out: the probe must arrive by then.
        var probeDeadline: DHTInstant?
        var observed: NodeAddress?
        /// With ``ReachabilityConfiguration/probesTCP``: which of the two probes arrived so far.
        var udpArrived = false
        var tcpArrived = false
    }

    struct Observation: Sendable {
        var lastReported: DHTInstant
        var reporters: Set<NodeID>
    }

    private(set) var results: [Result] = []
    private(set) var checks: [UInt64: Check] = [:]
    private var observations: [NodeAddress: Observation] = [:]
    private var contacted: ContactedAddresses
    private var nextCheckAt: DHTInstant?
    private var started = false
    private var inconclusiveInARow = 0
    private var pausedUntil: DHTInstant?
    private var currentHost: NodeAddress.Host?

    /// Counters of the checks this node ran.
    public struct Counters: Hashable, Sendable {
        /// `DIAL_BACK`s sent.
        public var checksSent = 0
        /// Dial-backs whose probe arrived.
        public var reached = 0
        /// Dial-backs whose probe went out and did not arrive.
        public var unreached = 0
        /// Dial-backs refused or not answered.
        public var inconclusive = 0
        /// Probes ignored: for no dial-back in flight, or from an address this node sent to.
        public var probesIgnored = 0
        /// Times a peer reported another IP than before.
        public var addressChanges = 0
        /// Times the status changed.
        public var statusChanges = 0

        /// Zero counters.
        public init() {}
    }

    /// A change of ``status``.
    public struct Change: Hashable, Sendable {
        /// The status before.
        public var from: ReachabilityStatus
        /// The status now.
        public var to: ReachabilityStatus
    }

    /// A state machine that has checked nothing yet.
    public init(configuration: ReachabilityConfiguration) {
        self.configuration = configuration
        self.contacted = ContactedAddresses(
            capacity: configuration.contactedAddresses, memory: configuration.contactedMemory)
    }

    // MARK: - Reading

    /// Whether the newest results confirm the status, so that one dial-back per recheck interval is enough.
    public var isSettled: Bool {
        guard status != .unknown, let newest = results.last, newest.reached == (status == .public) else { return false }
        return results.filter { $0.reached == (status == .public) }.count >= configuration.confirmations
    }

    /// The addresses peers reported seeing this node at, most reporters first (then most recent), each with how
    /// many distinct peers reported it.
    public func observedAddresses(now: DHTInstant) -> [(address: NodeAddress, reporters: Int)] {
        observations.filter { now - $0.value.lastReported < configuration.observedAddressLifetime }
            .sorted {
                ($0.value.reporters.count, $0.value.lastReported, $1.key.description)
                    > ($1.value.reporters.count, $1.value.lastReported, $0.key.description)
            }
            .map { ($0.key, $0.value.reporters.count) }
    }

    /// The reached and unreached dial-backs among the newest results.
    public var confirmations: (reached: Int, unreached: Int) {
        let reached = results.filter(\.reached).count
        return (reached, results.count - reached)
    }

    /// Dial-backs in flight.
    public var checksInFlight: Int { checks.count }

    /// The earliest instant something is due: the next dial-back, or the end of a probe's wait.
    public var nextDeadline: DHTInstant? {
        guard configuration.isEnabled else { return nil }
        var next = nextCheckAt
        for check in checks.values {
            guard let deadline = check.probeDeadline else { continue }
            next = min(next ?? deadline, deadline)
        }
        return next
    }

    // MARK: - Events

    /// Notes a datagram sent to `address`: a probe from it proves nothing, since a NAT lets answers in.
    public mutating func noteSent(to address: NodeAddress, now: DHTInstant) {
        guard configuration.isEnabled else { return }
        contacted.insert(address, now: now)
    }

    /// The routing table gained a contact: the first dial-backs are due after
    /// ``ReachabilityConfiguration/firstCheckDelay`` (once; later checks follow their own schedule). Returns when.
    public mutating func contactAvailable(now: DHTInstant) -> DHTInstant? {
        guard configuration.isEnabled, !started else { return nil }
        started = true
        nextCheckAt = now + configuration.firstCheckDelay
        return nextCheckAt
    }

    /// The dial-backs to send now: nonces drawn from `random`, each to a peer among `candidates` that is not being
    /// asked already and has no result in the window (results must come from distinct peers). Only a settled
    /// status, rechecking, asks a peer again when no other is left. With nobody to ask, the next try is a
    /// ``ReachabilityConfiguration/retryInterval`` later: a node that knows two peers does not ask them in a loop.
    public mutating func dueChecks(
        now: DHTInstant,
        candidates: [Contact],
        using random: inout SeededRandom
    ) -> [(nonce: UInt64, peer: Contact)] {
        guard configuration.isEnabled, let due = nextCheckAt, due <= now else { return [] }
        let wanted = (isSettled ? 1 : max(1, configuration.checksAtOnce)) - checks.count
        guard wanted > 0 else {
            nextCheckAt = nil
            return []
        }
        let asking = Set(checks.values.map(\.peer.id))
        let answered = Set(results.map(\.peer))
        var fresh = candidates.filter { !asking.contains($0.id) && !answered.contains($0.id) }
        var again = isSettled ? candidates.filter { !asking.contains($0.id) && answered.contains($0.id) } : []
        var planned: [(nonce: UInt64, peer: Contact)] = []
        while planned.count < wanted, !(fresh.isEmpty && again.isEmpty) {
            let peer: Contact
            if !fresh.isEmpty {
                peer = fresh.remove(at: Int(random.next() % UInt64(fresh.count)))
            } else {
                peer = again.remove(at: Int(random.next() % UInt64(again.count)))
            }
            var nonce = random.next()
            while checks[nonce] != nil { nonce = random.next() }
            checks[nonce] = Check(peer: peer)
            planned.append((nonce, peer))
        }
        counters.checksSent += planned.count
        // Completions schedule what follows; with nothing in flight and nobody to ask, try again later; with
        // fewer in flight than wanted because nobody else is left, too.
        if checks.isEmpty || (planned.count < wanted && fresh.isEmpty && again.isEmpty) {
            nextCheckAt = now + configuration.retryInterval
        } else {
            nextCheckAt = nil
        }
        return planned
    }

    /// A `DIAL_STATUS` from `peer` answered the dial-back `nonce`.
    public mutating func statusArrived(
        nonce: UInt64,
        status dialStatus: DialStatus,
        observed: NodeAddress,
        from peer: NodeID,
        now: DHTInstant
    ) -> Change? {
        guard configuration.isEnabled else { return nil }
        observe(observed, reportedBy: peer, now: now)
        guard var check = checks[nonce] else { return nil }
        check.observed = observed
        guard dialStatus == .probed else {
            checks[nonce] = nil
            return inconclusive(now: now)
        }
        check.probeDeadline = now + configuration.probeWait
        checks[nonce] = check
        return nil
    }

    /// A `DIAL_PROBE` with `nonce` arrived from `source`. It counts only for a dial-back in flight and from an
    /// address this node never sent to (a NAT would let an answer to our own datagram in).
    public mutating func probeArrived(nonce: UInt64, from source: NodeAddress, now: DHTInstant) -> Change? {
        guard configuration.isEnabled, var check = checks[nonce], !contacted.contains(source) else {
            counters.probesIgnored += 1
            return nil
        }
        guard !configuration.probesTCP || check.tcpArrived else {
            // The TCP probe has until the probe deadline to follow.
            check.udpArrived = true
            checks[nonce] = check
            return nil
        }
        checks[nonce] = nil
        return finish(check, reached: true, now: now)
    }

    /// The TCP probe of the dial-back `nonce` reached the listener at this node's port, from `source`
    /// (``ReachabilityConfiguration/probesTCP``). With the UDP probe, the dial-back counts as reached; without it
    /// by the probe deadline, as not reached: peers could send datagrams but not open the exchange's connections.
    public mutating func tcpProbeArrived(nonce: UInt64, from source: NodeAddress, now: DHTInstant) -> Change? {
        guard configuration.isEnabled, configuration.probesTCP, var check = checks[nonce], !contacted.contains(source)
        else {
            counters.probesIgnored += 1
            return nil
        }
        guard check.udpArrived else {
            check.tcpArrived = true
            checks[nonce] = check
            return nil
        }
        checks[nonce] = nil
        return finish(check, reached: true, now: now)
    }

    /// The dial-back `nonce` got no `DIAL_STATUS` in time.
    public mutating func noAnswer(nonce: UInt64, now: DHTInstant) -> Change? {
        guard checks.removeValue(forKey: nonce) != nil else { return nil }
        return inconclusive(now: now)
    }

    /// Ends the probe waits that are over (as not reached) and forgets old observed addresses.
    public mutating func tick(now: DHTInstant) -> Change? {
        guard configuration.isEnabled else { return nil }
        var change: Change?
        for (nonce, check) in checks.sorted(by: { $0.key < $1.key }) {
            guard let deadline = check.probeDeadline, deadline <= now else { continue }
            checks[nonce] = nil
            if let next = finish(check, reached: false, now: now) {
                change = Change(from: change?.from ?? next.from, to: next.to)
            }
        }
        observations = observations.filter { now - $0.value.lastReported < configuration.observedAddressLifetime }
        return change
    }

    // MARK: - Deciding

    private mutating func observe(_ address: NodeAddress, reportedBy peer: NodeID, now: DHTInstant) {
        if var known = observations[address] {
            known.lastReported = now
            if known.reporters.count < 16 { known.reporters.insert(peer) }
            observations[address] = known
        } else {
            if observations.count >= max(1, configuration.observedAddresses),
                let oldest = observations.min(by: { $0.value.lastReported < $1.value.lastReported })?.key
            {
                observations[oldest] = nil
            }
            observations[address] = Observation(lastReported: now, reporters: [peer])
        }
        if let host = currentHost, host != address.host {
            // Results taken at another IP say nothing about this one: check again at once.
            counters.addressChanges += 1
            results.removeAll { $0.host != address.host }
            pausedUntil = nil
            nextCheckAt = min(nextCheckAt ?? now, now)
        }
        currentHost = address.host
    }

    private mutating func inconclusive(now: DHTInstant) -> Change? {
        counters.inconclusive += 1
        inconclusiveInARow += 1
        scheduleNext(now: now)
        return nil
    }

    private mutating func finish(_ check: Check, reached: Bool, now: DHTInstant) -> Change? {
        if reached { counters.reached += 1 } else { counters.unreached += 1 }
        inconclusiveInARow = 0
        results.removeAll { $0.peer == check.peer.id }
        results.append(Result(peer: check.peer.id, reached: reached, host: check.observed?.host ?? currentHost))
        if results.count > max(1, configuration.window) { results.removeFirst(results.count - configuration.window) }
        let (reachedCount, unreachedCount) = confirmations
        var decided = status
        if reachedCount >= configuration.confirmations, reachedCount >= unreachedCount {
            decided = .public
        } else if unreachedCount >= configuration.confirmations {
            decided = .private
        }
        scheduleNext(now: now)
        guard decided != status else { return nil }
        let change = Change(from: status, to: decided)
        status = decided
        counters.statusChanges += 1
        // A settled status needs no dial-backs in flight; an unsettled one gets more at once.
        scheduleNext(now: now)
        return change
    }

    /// When the next dial-back is due, after one ended.
    private mutating func scheduleNext(now: DHTInstant) {
        if inconclusiveInARow >= configuration.inconclusiveBeforePause {
            inconclusiveInARow = 0
            pausedUntil = now + configuration.retryInterval
        }
        if let until = pausedUntil, until > now {
            nextCheckAt = until
            return
        }
        pausedUntil = nil
        if !isSettled {
            nextCheckAt = now
        } else if checks.isEmpty {
            nextCheckAt = now + configuration.recheckInterval
        } else {
            nextCheckAt = nil
        }
    }
}
