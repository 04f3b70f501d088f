import Kademlia

/// The relay reservations of a node that cannot be reached (docs/PROTOCOL.md, "Relays"), sans-I/O.
///
/// While active (the node is private) it keeps ``RelayReservationsConfiguration/wanted`` reservations: it picks
/// candidates the shell offers (public nodes from the routing table), asks the shell to reserve, renews each
/// reservation at half its lifetime, and replaces a relay that refuses, fails or drops the connection. A relay
/// that failed waits before it is tried again (doubling). Each change of the relays held is announced once with
/// ``RelayReservationDirective/relaysChanged(_:)``.
public struct RelayReservations: Sendable {
    /// The rules.
    public let configuration: RelayReservationsConfiguration
    /// Whether the node wants reservations (it is private).
    public private(set) var isActive = false

    private enum SlotState: Hashable {
        case reserving(deadline: DHTInstant)
        case reserved(renewAt: DHTInstant, expiresAt: DHTInstant, renewing: Bool)
    }

    private struct Candidate {
        var contact: Contact
        var failures = 0
        var retryAt: DHTInstant?
        var offeredAt: DHTInstant
    }

    private var candidates: [NodeID: Candidate] = [:]
    private var slots: [NodeID: (contact: Contact, state: SlotState)] = [:]
    private var announced: [Contact] = []
    private var candidatesWantedAt: DHTInstant?

    /// No reservations, inactive.
    public init(configuration: RelayReservationsConfiguration = RelayReservationsConfiguration()) {
        self.configuration = configuration
    }

    /// The relays reserved now, in the order they were reserved.
    public var relays: [Contact] { announced }

    /// Turns the core on (the node found it is private) or off (public: it releases every reservation).
    public mutating func setActive(_ active: Bool, now: DHTInstant) -> [RelayReservationDirective] {
        guard active != isActive else { return [] }
        isActive = active
        if active { return fill(now: now) }
        var directives: [RelayReservationDirective] = slots.keys.sorted().map { .release($0) }
        slots = [:]
        directives += announce()
        return directives
    }

    /// Public nodes the node knows (the shell answers ``RelayReservationDirective/wantCandidates`` with them).
    public mutating func offer(_ contacts: [Contact], now: DHTInstant) -> [RelayReservationDirective] {
        for contact in contacts where candidates[contact.id] == nil && !contact.relayed {
            if candidates.count >= configuration.maxCandidates {
                // Forget the candidate offered longest ago that is not held.
                guard let oldest = candidates.values.filter({ slots[$0.contact.id] == nil })
                    .min(by: { $0.offeredAt < $1.offeredAt })
                else { break }
                candidates[oldest.contact.id] = nil
            }
            candidates[contact.id] = Candidate(contact: contact, offeredAt: now)
        }
        return fill(now: now)
    }

    /// The relay granted (or renewed) a reservation for `lifetime`.
    public mutating func reserved(_ relay: NodeID, lifetime: Duration, now: DHTInstant)
        -> [RelayReservationDirective]
    {
        guard let slot = slots[relay] else { return [.release(relay)] }
        candidates[relay]?.failures = 0
        slots[relay] = (slot.contact, .reserved(renewAt: now + lifetime / 2, expiresAt: now + lifetime, renewing: false))
        return announce()
    }

    /// The reservation attempt failed, the relay refused, or the reservation connection closed.
    public mutating func failed(_ relay: NodeID, now: DHTInstant) -> [RelayReservationDirective] {
        guard slots.removeValue(forKey: relay) != nil else { return [] }
        if var candidate = candidates[relay] {
            candidate.failures += 1
            let delay = min(
                configuration.maxRetryDelay, configuration.retryDelay * (1 << min(candidate.failures - 1, 16)))
            candidate.retryAt = now + delay
            candidates[relay] = candidate
        }
        return announce() + fill(now: now)
    }

    /// Deadlines: renewals, attempts that took too long, reservations that lapsed, candidates to ask for.
    public mutating func tick(now: DHTInstant) -> [RelayReservationDirective] {
        guard isActive else { return [] }
        var directives: [RelayReservationDirective] = []
        for (relay, slot) in slots.sorted(by: { $0.key < $1.key }) {
            switch slot.state {
            case .reserving(let deadline) where deadline <= now:
                directives += [.release(relay)] + failed(relay, now: now)
            case .reserved(_, let expiresAt, _) where expiresAt <= now:
                directives += [.release(relay)] + failed(relay, now: now)
            case .reserved(let renewAt, let expiresAt, false) where renewAt <= now:
                slots[relay]?.state = .reserved(renewAt: renewAt, expiresAt: expiresAt, renewing: true)
                directives.append(.renew(relay))
            default:
                break
            }
        }
        return directives + fill(now: now)
    }

    /// When ``tick(now:)`` has something to do.
    public var nextDeadline: DHTInstant? {
        guard isActive else { return nil }
        var deadlines: [DHTInstant] = slots.values.map { slot in
            switch slot.state {
            case .reserving(let deadline): deadline
            case .reserved(let renewAt, let expiresAt, let renewing): renewing ? expiresAt : renewAt
            }
        }
        if slots.count < configuration.wanted {
            if let asked = candidatesWantedAt { deadlines.append(asked + configuration.candidateInterval) }
            deadlines += candidates.values.compactMap(\.retryAt)
        }
        return deadlines.min()
    }

    // MARK: Helpers

    /// Starts reservations with the best candidates until enough are held or under way; asks for candidates when
    /// none is left.
    private mutating func fill(now: DHTInstant) -> [RelayReservationDirective] {
        guard isActive else { return [] }
        var directives: [RelayReservationDirective] = []
        while slots.count < configuration.wanted {
            let ready = candidates.values.filter { slots[$0.contact.id] == nil && ($0.retryAt.map { $0 <= now } ?? true) }
            // Fewest failures first, then the longest known: a stable choice.
            guard let next = ready.min(by: { ($0.failures, $0.offeredAt, $0.contact.id) < ($1.failures, $1.offeredAt, $1.contact.id) })
            else { break }
            slots[next.contact.id] = (next.contact, .reserving(deadline: now + configuration.attemptTimeout))
            directives.append(.reserve(next.contact))
        }
        if slots.count < configuration.wanted,
            candidatesWantedAt.map({ now >= $0 + configuration.candidateInterval }) ?? true
        {
            candidatesWantedAt = now
            directives.append(.wantCandidates)
        }
        return directives
    }

    private mutating func announce() -> [RelayReservationDirective] {
        let held = slots.compactMap { id, slot -> Contact? in
            if case .reserved = slot.state { return slot.contact } else { return nil }
        }
        // Keep the order of those announced before, newcomers after.
        var relays = announced.filter { contact in held.contains(contact) }
        relays += held.filter { !relays.contains($0) }.sorted { $0.id < $1.id }
        guard relays != announced else { return [] }
        announced = relays
        return [.relaysChanged(relays)]
    }
}
