import DHTCrypto
import Names

/// How a ``Node/publish(_:key:lifetime:ttl:)`` went.
public struct NamePublication: Sendable {
    /// The name published.
    public var name: IPNSName
    /// The signed record stored on the nodes closest to the name.
    public var record: IPNSRecord
    /// The nodes asked and how many took the record.
    public var report: PublishReport

    /// Creates a publication.
    public init(name: IPNSName, record: IPNSRecord, report: PublishReport) {
        self.name = name
        self.record = record
        self.report = report
    }
}

/// The answer of a ``Node/resolve(_:)``.
public struct ResolvedName: Sendable {
    /// The name resolved.
    public var name: IPNSName
    /// Its newest valid record found.
    public var record: IPNSRecord
    /// Where the record came from.
    public var source: Source
    /// What the DHT lookup heard (`nil` when the answer came from the cache).
    public var resolution: RecordResolutionSummary?

    /// Where a resolved record came from.
    public enum Source: String, Sendable {
        /// A DHT lookup just now.
        case network
        /// The node's cache of resolved names, within the record's TTL.
        case cache
        /// This node publishes the name, and its own record was the newest.
        case published
    }

    /// What the record points at (`/ipfs/…` or `/ipns/…`).
    public var value: String { record.value }

    /// Creates an answer.
    public init(name: IPNSName, record: IPNSRecord, source: Source, resolution: RecordResolutionSummary?) {
        self.name = name
        self.record = record
        self.source = source
        self.resolution = resolution
    }
}

/// The figures of the lookup behind a resolve, for `--json` and benchmarks.
public struct RecordResolutionSummary: Hashable, Sendable {
    /// Nodes asked (requests sent, retransmissions included).
    public var messagesSent: Int
    /// Nodes that answered.
    public var responses: Int
    /// Rounds of the lookup until the closest answering node (1 when a seed answered).
    public var hops: Int
    /// Nodes that answered with a valid record.
    public var validAnswers: Int
    /// Nodes that answered with a record that did not validate.
    public var invalidAnswers: Int
    /// Nodes sent the newest record because they answered with an older one.
    public var corrected: Int
    /// How long the lookup took.
    public var elapsed: Duration

    /// Creates a summary.
    public init(
        messagesSent: Int, responses: Int, hops: Int, validAnswers: Int, invalidAnswers: Int, corrected: Int,
        elapsed: Duration
    ) {
        self.messagesSent = messagesSent
        self.responses = responses
        self.hops = hops
        self.validAnswers = validAnswers
        self.invalidAnswers = invalidAnswers
        self.corrected = corrected
        self.elapsed = elapsed
    }
}
