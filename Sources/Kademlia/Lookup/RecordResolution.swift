/// The end of a GET_RECORD operation (``KademliaInstance/getRecord(_:now:)``): the best valid mutable record this
/// node held or heard of, and how the nodes asked answered.
public struct RecordResolution: Hashable, Sendable {
    /// The lookup toward the record's key.
    public var lookup: LookupResult
    /// The best valid record (highest sequence, then longest validity), or `nil` when nobody had a valid one.
    public var record: MutableRecord?
    /// The best record's rank when it was checked.
    public var rank: MutableRecordRank?
    /// Whether this node held the best record before the lookup.
    public var heldLocally: Bool
    /// Nodes that answered with a valid record (the best or an older one).
    public var validAnswers: Int
    /// Nodes that answered with a record the validator refused (forged, expired, malformed): each is a node that
    /// lies or keeps what it should not.
    public var invalidAnswers: Int
    /// Nodes that answered with an older record and were sent the best one (a `PUT_RECORD` each).
    public var corrected: Int

    /// Creates a resolution.
    public init(
        lookup: LookupResult,
        record: MutableRecord?,
        rank: MutableRecordRank?,
        heldLocally: Bool,
        validAnswers: Int,
        invalidAnswers: Int,
        corrected: Int
    ) {
        self.lookup = lookup
        self.record = record
        self.rank = rank
        self.heldLocally = heldLocally
        self.validAnswers = validAnswers
        self.invalidAnswers = invalidAnswers
        self.corrected = corrected
    }
}
