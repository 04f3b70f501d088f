/// An iterative Kademlia lookup as a state machine: it picks whom to ask, takes their answers and timeouts, and
/// says when it is done. It sends nothing and reads no clock; ``KademliaInstance`` carries its queries out.
///
/// Rules:
/// - Candidates are kept sorted by XOR distance to the target; at most k + spares are remembered.
/// - While converging, at most α requests are in flight. Once the α closest candidates have all answered (no
///   answer brought anyone closer), the lookup asks every remaining candidate among the k closest at once, as the
///   Kademlia paper's final round does.
/// - A request that times out frees its slot; the contact is asked again (up to
///   ``LookupConfiguration/attemptsPerContact`` times) while it remains among the k closest, else it counts as
///   failed and the next candidate takes its place.
/// - The lookup ends when the k closest candidates that did not fail have all answered, when every candidate
///   failed, when a FIND_VALUE finds values, when a GET_PROVIDERS has the providers it wanted, or when a
///   GET_RECORD heard a valid record from as many nodes as it wanted.
public struct Lookup: Sendable {
    /// The state of one candidate.
    enum CandidateState: UInt8, Sendable {
        case fresh
        case inFlight
        /// Timed out at least once; a retransmission may be in flight but no longer holds a slot.
        case stalled
        case answered
        case failed
    }

    struct Candidate: Sendable {
        var contact: Contact
        var state: CandidateState
        var attempts: UInt8
        var hop: UInt8
    }

    /// A request the owner must send.
    public struct Query: Hashable, Sendable {
        /// Whom to ask.
        public var contact: Contact
        /// 1 for the first request to this contact, 2 for the first retransmission, and so on.
        public var attempt: Int
    }

    /// What the owner must do after a request timed out.
    public enum TimeoutDecision: Hashable, Sendable {
        /// Ask the contact again (the attached query); it remains among the k closest.
        case retry(Query)
        /// The contact failed; record it. The lookup moves on.
        case gaveUp(Contact)
        /// The contact is no longer part of the lookup (already answered, failed, or unknown).
        case ignore
    }

    /// The ID or key looked up.
    public let target: NodeID
    /// What each contact is asked.
    public let kind: LookupKind
    /// The rules.
    public let configuration: LookupConfiguration
    private let localID: NodeID
    private var candidates: [Candidate] = []
    private var inFlight = 0
    private var finalRound = false
    private var endOutcome: LookupResult.Outcome?
    private var messagesSent = 0
    private var responses = 0
    private var timeouts = 0
    private var values: [DHTValue] = []
    private var providers: [Contact] = []
    /// Providers named so far: a node behind a NAT is named once per relay it holds.
    private var providerIDs: Set<Contact> = []
    private var recordAnswers = 0

    /// Starts a lookup for `target` from `seeds` (normally the k closest contacts of the routing table).
    public init(target: NodeID, kind: LookupKind, seeds: [Contact], localID: NodeID, configuration: LookupConfiguration)
    {
        self.target = target
        self.kind = kind
        self.configuration = configuration
        self.localID = localID
        candidates.reserveCapacity(configuration.resultSize + configuration.spareCandidates)
        for seed in seeds { insert(seed, hop: 1) }
        if candidates.isEmpty { endOutcome = .noContacts }
    }

    /// Whether the lookup has ended; then ``result`` is final and ``nextQueries()`` returns nothing.
    public var isFinished: Bool { endOutcome != nil }

    /// The requests to send now. Each returned contact counts as asked.
    public mutating func nextQueries() -> [Query] {
        guard endOutcome == nil else { return [] }
        let k = configuration.resultSize
        if !finalRound { finalRound = closestHaveAnswered(configuration.parallelism) }
        let limit = finalRound ? k : configuration.parallelism
        var queries: [Query] = []
        var considered = 0
        var unsettled = 0
        for index in candidates.indices {
            switch candidates[index].state {
            case .failed:
                continue
            case .answered:
                break
            case .inFlight, .stalled:
                unsettled += 1
            case .fresh:
                unsettled += 1
                if inFlight < limit {
                    candidates[index].state = .inFlight
                    candidates[index].attempts += 1
                    inFlight += 1
                    messagesSent += 1
                    queries.append(Query(contact: candidates[index].contact, attempt: Int(candidates[index].attempts)))
                }
            }
            considered += 1
            if considered == k { break }
        }
        if unsettled == 0 {
            endOutcome = considered == 0 ? .noResponses : .converged
        }
        return queries
    }

    /// Takes an answer from `id`: the contacts it named (which join the candidates), and any values or providers.
    public mutating func handleAnswer(
        from id: NodeID,
        closer: [Contact],
        values found: [DHTValue] = [],
        providers announced: [Contact] = [],
        hasRecord: Bool = false
    ) {
        guard let index = position(of: id) else { return }
        switch candidates[index].state {
        case .inFlight: inFlight -= 1
        case .stalled, .fresh, .failed: break
        case .answered: return
        }
        candidates[index].state = .answered
        responses += 1
        let hop = candidates[index].hop &+ 1
        for contact in closer { insert(contact, hop: hop) }
        if !found.isEmpty, kind == .findValue {
            values.append(contentsOf: found)
            endOutcome = .valueFound
        }
        for provider in announced where providerIDs.insert(provider).inserted {
            providers.append(provider)
        }
        if kind == .getProviders, let wanted = configuration.providersWanted, providers.count >= wanted {
            endOutcome = .enoughProviders
        }
        if hasRecord, kind == .getRecord {
            recordAnswers += 1
            if recordAnswers >= configuration.recordsWanted { endOutcome = .enoughRecords }
        }
    }

    /// Takes a timeout of the request to `id` and says whether to ask it again.
    public mutating func handleTimeout(of id: NodeID) -> TimeoutDecision {
        guard endOutcome == nil, let index = position(of: id) else { return .ignore }
        switch candidates[index].state {
        case .inFlight:
            inFlight -= 1
        case .stalled:
            break
        case .fresh, .answered, .failed:
            return .ignore
        }
        timeouts += 1
        if Int(candidates[index].attempts) < configuration.attemptsPerContact, isAmongClosest(index) {
            candidates[index].state = .stalled
            candidates[index].attempts += 1
            messagesSent += 1
            return .retry(Query(contact: candidates[index].contact, attempt: Int(candidates[index].attempts)))
        }
        candidates[index].state = .failed
        return .gaveUp(candidates[index].contact)
    }

    /// Takes the news that the contact `id` cannot be asked at all (for example it answered with another ID).
    public mutating func handleFailure(of id: NodeID) {
        guard let index = position(of: id) else { return }
        if candidates[index].state == .inFlight { inFlight -= 1 }
        if candidates[index].state != .answered { candidates[index].state = .failed }
    }

    /// The result so far; final once ``isFinished``.
    public var result: LookupResult {
        var closest: [Contact] = []
        var hops = 0
        for candidate in candidates where candidate.state == .answered {
            if closest.isEmpty { hops = Int(candidate.hop) }
            closest.append(candidate.contact)
            if closest.count == configuration.resultSize { break }
        }
        return LookupResult(
            target: target,
            kind: kind,
            outcome: endOutcome ?? .converged,
            closest: closest,
            hops: hops,
            messagesSent: messagesSent,
            responses: responses,
            timeouts: timeouts,
            values: values,
            providers: providers
        )
    }

    // MARK: - Candidates

    private mutating func insert(_ contact: Contact, hop: UInt8) {
        guard contact.id != localID else { return }
        let low = insertionPoint(for: contact.id)
        if low < candidates.count, candidates[low].contact.id == contact.id { return }
        let capacity = configuration.resultSize + configuration.spareCandidates
        if candidates.count >= capacity {
            // Full: a farther newcomer is dropped; a closer one pushes out the farthest candidate not in flight.
            guard low < candidates.count,
                let victim = candidates.lastIndex(where: { $0.state == .fresh || $0.state == .failed }),
                victim >= low
            else { return }
            candidates.remove(at: victim)
        }
        candidates.insert(Candidate(contact: contact, state: .fresh, attempts: 0, hop: hop), at: low)
    }

    private func position(of id: NodeID) -> Int? {
        let low = insertionPoint(for: id)
        return low < candidates.count && candidates[low].contact.id == id ? low : nil
    }

    /// The index of the first candidate not closer to the target than `id` (binary search; distances are
    /// computed on the fly, which keeps a candidate at 64 bytes).
    private func insertionPoint(for id: NodeID) -> Int {
        let distance = id.distance(to: target)
        var low = 0
        var high = candidates.count
        while low < high {
            let mid = (low + high) / 2
            if candidates[mid].contact.id.distance(to: target) < distance { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Whether the `count` closest candidates that did not fail have all answered.
    private func closestHaveAnswered(_ count: Int) -> Bool {
        var seen = 0
        for candidate in candidates where candidate.state != .failed {
            guard candidate.state == .answered else { return false }
            seen += 1
            if seen == count { return true }
        }
        return seen > 0
    }

    /// Whether the candidate at `index` is among the k closest that did not fail.
    private func isAmongClosest(_ index: Int) -> Bool {
        var rank = 0
        for position in 0..<index where candidates[position].state != .failed { rank += 1 }
        return rank < configuration.resultSize
    }
}
