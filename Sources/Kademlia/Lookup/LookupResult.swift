/// The end of an iterative lookup.
public struct LookupResult: Hashable, Sendable {
    /// How a lookup ended.
    public enum Outcome: Hashable, Sendable {
        /// The k closest contacts seen (or all, in a smaller network) answered.
        case converged
        /// A FIND_VALUE lookup found values.
        case valueFound
        /// A GET_PROVIDERS lookup gathered the providers it wanted.
        case enoughProviders
        /// A GET_RECORD lookup heard valid records from as many nodes as it wanted.
        case enoughRecords
        /// There was nobody to ask: the routing table had no usable contact.
        case noContacts
        /// Every contact asked failed to answer.
        case noResponses
    }

    /// The ID or key looked up.
    public var target: NodeID
    /// What was asked.
    public var kind: LookupKind
    /// How it ended.
    public var outcome: Outcome
    /// Up to k contacts that answered, closest to the target first.
    public var closest: [Contact]
    /// The length of the referral path to the closest contact: 1 when it came from our own routing table.
    public var hops: Int
    /// Requests sent, retransmissions included.
    public var messagesSent: Int
    /// Answers received.
    public var responses: Int
    /// Requests that timed out (each retransmission counts).
    public var timeouts: Int
    /// Values found (FIND_VALUE).
    public var values: [DHTValue]
    /// Providers found (GET_PROVIDERS), in the order they were learned.
    public var providers: [Contact]

    /// Whether at least one contact answered.
    public var reachedNetwork: Bool {
        switch outcome {
        case .converged, .valueFound, .enoughProviders, .enoughRecords: true
        case .noContacts, .noResponses: false
        }
    }
}
