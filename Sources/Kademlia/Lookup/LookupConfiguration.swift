/// How an iterative lookup runs.
public struct LookupConfiguration: Hashable, Sendable {
    /// Requests in flight while the lookup converges: Kademlia's α. Default 3.
    public var parallelism: Int = 3
    /// Contacts in the result, and how many of the closest must answer before the lookup ends: k. Default 20.
    public var resultSize: Int = 20
    /// Times one contact is asked before it counts as failed (the first request and its retransmissions).
    /// Default 5, so that on a path losing 10% of datagrams (19% of round trips) a live contact is missed once in
    /// 4,000; a contact's retransmission is sent only while it is still among the k closest.
    public var attemptsPerContact: Int = 5
    /// Candidates remembered beyond the k closest, as spares for contacts that fail. Default 2 × k.
    public var spareCandidates: Int = 40
    /// A GET_PROVIDERS lookup ends once it has this many distinct providers; `nil` runs it to the end. Default 20.
    public var providersWanted: Int? = 20
    /// A GET_RECORD lookup ends once this many nodes answered with a valid record (not necessarily the same one); it
    /// runs to convergence when fewer hold one. More answers cost more messages and time but find a newer record
    /// that only some holders have. Default 5.
    public var recordsWanted: Int = 5

    /// The defaults above.
    public init() {}
}
