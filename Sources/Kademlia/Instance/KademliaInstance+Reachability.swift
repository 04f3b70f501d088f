/// Dial-backs and client mode (docs/PROTOCOL.md, "Reachability and client mode"): the checks this node runs for
/// itself (``Reachability``), the `DIAL_BACK`s and `DIAL_REQUEST`s it serves for others, and what changes once it
/// runs as a client.
extension KademliaInstance {
    /// Whether this node runs as a DHT client: it checks its reachability, found itself private, and
    /// ``ReachabilityConfiguration/clientWhenPrivate`` is on. A client flags its requests `CLIENT` and answers none
    /// (probes aside), so that nobody admits it to a routing table it could not serve from.
    public var isClient: Bool {
        guard configuration.reachability.clientWhenPrivate else { return false }
        if let assumed = configuration.reachability.assumedStatus { return assumed == .private }
        return configuration.reachability.isEnabled && reachability.status == .private
    }

    /// What this node knows of its reachability.
    public func reachabilityReport(now: DHTInstant) -> ReachabilityReport {
        let (reached, unreached) = reachability.confirmations
        return ReachabilityReport(
            status: reachability.status,
            isClient: isClient,
            isChecking: configuration.reachability.isEnabled,
            observedAddresses: reachability.observedAddresses(now: now).map {
                ObservedAddress(address: $0.address, reporters: $0.reporters)
            },
            reached: reached,
            unreached: unreached
        )
    }

    // MARK: - Checking our own reachability

    /// A dial-back's TCP probe reached this node's listener from `address` (its shell reads it there,
    /// ``ReachabilityConfiguration/probesTCP``).
    public mutating func tcpProbeArrived(nonce: UInt64, from address: NodeAddress, now: DHTInstant)
        -> [KademliaDirective]
    {
        var directives: [KademliaDirective] = []
        let change = reachability.tcpProbeArrived(nonce: nonce, from: address, now: now)
        runReachability(change: change, now: now, into: &directives)
        return directives
    }

    /// Carries out what the reachability state machine wants after an event: farewells when the node became a
    /// client, the dial-backs due now, and a tick for its next deadline.
    mutating func runReachability(
        change: Reachability.Change?,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard configuration.reachability.isEnabled else { return }
        if let change, change.to == .private, isClient {
            // The contacts that took us in while our status was unknown hear from us once, flagged `CLIENT`, and
            // drop us; the others find us failing.
            for contact in routingTable.contacts.prefix(256) {
                sendRequest(
                    .ping, to: contact.address, expectedID: contact.id, purpose: .farewell, attempt: 1, now: now,
                    into: &directives)
            }
        }
        let candidates = routingTable.buckets.flatMap { bucket in
            bucket.entries.lazy.filter { $0.failures == 0 }.map(\.contact)
        }
        let planned = reachability.dueChecks(now: now, candidates: candidates, using: &random)
        for (nonce, peer) in planned {
            sendRequest(
                .dialBack(nonce: nonce),
                to: peer.address,
                expectedID: peer.id,
                purpose: .dialBack(nonce),
                attempt: 1,
                timeout: configuration.reachability.dialBackTimeout,
                now: now,
                into: &directives
            )
        }
        if let due = reachability.nextDeadline { wake(at: due, now: now, into: &directives) }
    }

    /// A dial-back of ours got no `DIAL_STATUS` (no answer, or another answer).
    mutating func dialBackUnanswered(_ nonce: UInt64, now: DHTInstant, into directives: inout [KademliaDirective]) {
        let change = reachability.noAnswer(nonce: nonce, now: now)
        runReachability(change: change, now: now, into: &directives)
    }

    /// Asks for a tick at `instant` when none is asked for by then. Instants a maintenance interval or more away
    /// need none: the next maintenance tick comes first and looks again.
    mutating func wake(at instant: DHTInstant, now: DHTInstant, into directives: inout [KademliaDirective]) {
        let instant = max(instant, now + .milliseconds(1))
        guard instant - now < configuration.maintenanceInterval else { return }
        if let asked = tickAsked, asked <= instant { return }
        tickAsked = instant
        directives.append(.scheduleTick(at: instant))
    }

    // MARK: - Serving others

    /// A request flagged `CLIENT`: the sender says it cannot be reached. Held at this very address, it leaves the
    /// routing table (a forged one costs the real node its place until it answers again).
    mutating func forgetClient(_ sender: Contact) {
        endVerification(of: sender.id)
        guard let entry = routingTable.entry(for: sender.id), entry.contact.address == sender.address else { return }
        routingTable.remove(sender.id)
        statistics.clientsRemoved += 1
    }

    /// A `DIAL_BACK` from `address`: asks a helper to probe that address (never another), within the budgets of
    /// its source and network. Returns the answer when there is one now; `nil` when a helper was asked (the answer
    /// follows in ``relayAnswered(_:status:now:into:)``).
    mutating func serveDialBack(
        nonce: UInt64,
        message: KademliaMessage,
        from address: NodeAddress,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) -> KademliaResponse? {
        let limits = configuration.reachability
        // Loopback is exempt from the budgets per source and network: only this host can send from it.
        guard relays.count < limits.maxDialBacksInFlight,
            address.isLoopback || dialBackBudgets.admitDialBack(from: address.host, now: now)
        else {
            statistics.dialBacksServed[.busy, default: 0] += 1
            return .dialStatus(.busy, observed: address)
        }
        // A helper at the requester's own source would probe from where the requester may have sent to; on
        // loopback, where every node shares the host, the port tells nodes apart.
        var helpers: [Contact] = []
        for bucket in routingTable.buckets {
            for entry in bucket.entries where entry.failures == 0 && entry.contact.id != message.sender {
                let helper = entry.contact
                if address.isLoopback {
                    guard helper.address != address else { continue }
                } else {
                    guard helper.address.host.sourcePrefix != address.host.sourcePrefix else { continue }
                }
                helpers.append(helper)
            }
        }
        guard !helpers.isEmpty else {
            statistics.dialBacksServed[.noHelper, default: 0] += 1
            return .dialStatus(.noHelper, observed: address)
        }
        // A random few, so that one requester cannot pick which helper probes it.
        let wanted = min(max(1, limits.helpersPerDialBack), helpers.count)
        for index in 0..<wanted {
            let pick = index + Int(random.next() % UInt64(helpers.count - index))
            helpers.swapAt(index, pick)
        }
        let relay = DialRelay(
            requester: address,
            transactionID: message.transactionID,
            nonce: nonce,
            helpers: Array(helpers[1..<wanted])
        )
        let id = nextRelay
        nextRelay += 1
        relays[id] = relay
        sendDialRequest(relay, to: helpers[0], id: id, now: now, into: &directives)
        return nil
    }

    private mutating func sendDialRequest(
        _ relay: DialRelay,
        to helper: Contact,
        id: UInt64,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        sendRequest(
            .dialRequest(nonce: relay.nonce, target: relay.requester),
            to: helper.address,
            expectedID: helper.id,
            purpose: .dialRelay(id),
            attempt: 1,
            now: now,
            into: &directives
        )
    }

    /// A helper answered the `DIAL_REQUEST` of relay `id` (`nil`: it did not). `probed` is passed on to the
    /// requester; anything else moves on to the next helper, and after the last one the requester hears
    /// `noHelper`.
    mutating func relayAnswered(
        _ id: UInt64,
        status: DialStatus?,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) {
        guard var relay = relays[id] else { return }
        if status != .probed, !relay.helpers.isEmpty {
            let next = relay.helpers.removeFirst()
            relays[id] = relay
            sendDialRequest(relay, to: next, id: id, now: now, into: &directives)
            return
        }
        relays[id] = nil
        let answer: DialStatus = status == .probed ? .probed : .noHelper
        statistics.dialBacksServed[answer, default: 0] += 1
        reachability.noteSent(to: relay.requester, now: now)
        directives.append(
            .send(
                KademliaMessage(
                    transactionID: relay.transactionID,
                    sender: localID,
                    body: .response(.dialStatus(answer, observed: relay.requester))
                ),
                to: relay.requester
            )
        )
    }

    /// A `DIAL_REQUEST` from `address`: sends one probe to `target`, within the budgets of the requester, the
    /// target's network and in all. A probe is smaller than the request, so nobody gains bytes by asking.
    mutating func serveDialRequest(
        nonce: UInt64,
        target: NodeAddress,
        from address: NodeAddress,
        now: DHTInstant,
        into directives: inout [KademliaDirective]
    ) -> KademliaResponse {
        let status: DialStatus
        if !canSendProbes || (target.isLoopback && !address.isLoopback) {
            status = .refused
        } else if !dialBackBudgets.admitProbe(
            requester: address.isLoopback ? nil : address.host,
            target: target.isLoopback ? nil : target.host,
            now: now
        ) {
            status = .busy
        } else {
            status = .probed
            let probe = KademliaMessage(
                transactionID: TransactionID(rawValue: random.next()),
                sender: localID,
                body: .request(.dialProbe(nonce: nonce))
            )
            directives.append(.send(probe, to: target))
        }
        statistics.dialRequestsServed[status, default: 0] += 1
        return .dialStatus(status, observed: address)
    }
}

/// A `DIAL_BACK` of another node being served: whom to answer, and the helpers left to try.
struct DialRelay: Sendable {
    /// The requester's address: the only one a probe goes to.
    var requester: NodeAddress
    var transactionID: TransactionID
    var nonce: UInt64
    var helpers: [Contact]
}

/// The per-minute budgets of the dial-back service (``DialBackLimits``).
struct DialBackBudgets: Sendable {
    private var dialBackSources: PrefixBudget
    private var dialBackNetworks: PrefixBudget
    private var probeRequesters: PrefixBudget
    private var probeTargets: PrefixBudget
    private var probesInAll: PrefixBudget
    private static let everyone = AddressPrefix(.ipv4(0), ipv4Bits: 0, ipv6Bits: 0)

    init(_ configuration: ReachabilityConfiguration) {
        let limits = configuration.limits
        dialBackSources = PrefixBudget(limit: limits.dialBacksPerSource, capacity: limits.trackedPrefixes)
        dialBackNetworks = PrefixBudget(limit: limits.dialBacksPerNetwork, capacity: limits.trackedPrefixes)
        probeRequesters = PrefixBudget(limit: limits.probesPerRequester, capacity: limits.trackedPrefixes)
        probeTargets = PrefixBudget(limit: limits.probesPerTargetNetwork, capacity: limits.trackedPrefixes)
        probesInAll = PrefixBudget(limit: limits.probesTotal, capacity: 1)
    }

    /// Takes one `DIAL_BACK` from `host`'s source and network, when both have one left.
    mutating func admitDialBack(from host: NodeAddress.Host, now: DHTInstant) -> Bool {
        guard dialBackSources.allows(host.sourcePrefix, now: now), dialBackNetworks.allows(host.networkPrefix, now: now)
        else { return false }
        dialBackSources.take(host.sourcePrefix, now: now)
        dialBackNetworks.take(host.networkPrefix, now: now)
        return true
    }

    /// Takes one probe for `requester`'s source, `target`'s network and in all (`nil`: a loopback address, exempt
    /// from its budget).
    mutating func admitProbe(requester: NodeAddress.Host?, target: NodeAddress.Host?, now: DHTInstant) -> Bool {
        guard probesInAll.allows(Self.everyone, now: now) else { return false }
        if let requester, !probeRequesters.allows(requester.sourcePrefix, now: now) { return false }
        if let target, !probeTargets.allows(target.networkPrefix, now: now) { return false }
        probesInAll.take(Self.everyone, now: now)
        if let requester { probeRequesters.take(requester.sourcePrefix, now: now) }
        if let target { probeTargets.take(target.networkPrefix, now: now) }
        return true
    }
}
