import DHTNode

/// `PUT /v1/values/{key}` and `POST /v1/providers/{key}`: how the record was published.
public struct PublishDocument: Codable, Hashable, Sendable {
    /// The key, 64 hex digits.
    public var key: String
    /// The closest nodes to the key that were asked to hold the record.
    public var asked: Int
    /// How many of them accepted it.
    public var accepted: Int
    /// The lookup that found them.
    public var lookup: LookupDocument

    /// The document of `report`, which took `elapsed`.
    public init(key: String, _ report: PublishReport, elapsed: Duration) {
        self.key = key
        self.asked = report.asked
        self.accepted = report.accepted
        self.lookup = LookupDocument(report.lookup, elapsed: elapsed)
    }
}
