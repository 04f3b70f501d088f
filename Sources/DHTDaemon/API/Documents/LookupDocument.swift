import Kademlia

/// How an iterative lookup went: `GET /v1/closest/{id}`, and inside publish reports.
public struct LookupDocument: Codable, Hashable, Sendable {
    /// The ID or key looked up, 64 hex digits.
    public var target: String
    /// How it ended: `converged`, `valueFound`, `enoughProviders`, `noContacts` or `noResponses`.
    public var outcome: String
    /// Up to k contacts that answered, closest to the target first.
    public var closest: [ContactDocument]
    /// Length of the referral path to the closest contact.
    public var hops: Int
    /// Requests sent, retransmissions included.
    public var messagesSent: Int
    /// Answers received.
    public var responses: Int
    /// Requests that timed out.
    public var timeouts: Int
    /// Wall time the API call took, in seconds.
    public var elapsedSeconds: Double

    /// The document of `result`, which took `elapsed`.
    public init(_ result: LookupResult, elapsed: Duration) {
        self.target = result.target.hex
        self.outcome = Self.name(of: result.outcome)
        self.closest = result.closest.map(ContactDocument.init)
        self.hops = result.hops
        self.messagesSent = result.messagesSent
        self.responses = result.responses
        self.timeouts = result.timeouts
        self.elapsedSeconds = elapsed.inSeconds
    }

    private static func name(of outcome: LookupResult.Outcome) -> String {
        switch outcome {
        case .converged: "converged"
        case .valueFound: "valueFound"
        case .enoughProviders: "enoughProviders"
        case .enoughRecords: "enoughRecords"
        case .noContacts: "noContacts"
        case .noResponses: "noResponses"
        }
    }
}
