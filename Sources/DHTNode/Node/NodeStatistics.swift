import Kademlia

/// Counters of a running node (``Node/statistics()``); the same figures feed `/metrics`.
public struct NodeStatistics: Hashable, Sendable {
    /// Datagrams received (before any check).
    public var datagramsIn = 0
    /// Datagrams sent.
    public var datagramsOut = 0
    /// Datagrams dropped, by reason.
    public var dropped: [DropReason: Int] = [:]
    /// Requests answered.
    public var requestsAnswered = 0
    /// Replies cut to the amplification limit because the requester had not proven its address.
    public var repliesCutForAmplification = 0
    /// Replies and verification pings not sent at all: the address had not proven itself and had been sent
    /// ``AbuseLimits/amplificationFactor`` times what it sent.
    public var withheldForAmplification = 0
    /// Unknown requesters not verified because their /24 or /64 had
    /// ``KademliaConfiguration/maxVerificationsPerNetwork`` verifications under way.
    public var verificationsSkippedForNetwork = 0
    /// STOREs refused, by reason.
    public var valuesRefused: [StoreRejection: Int] = [:]
    /// ADD_PROVIDERs refused, by reason.
    public var providersRefused: [StoreRejection: Int] = [:]
    /// PUT_RECORDs (IPNS records) refused, by reason; ``StoreRejection/invalidRecord`` is broken down in
    /// ``invalidRecordsRefused``.
    public var recordsRefused: [StoreRejection: Int] = [:]
    /// PUT_RECORDs refused as invalid, by the validator's reason (`bad_signature`, `expired`, ...).
    public var invalidRecordsRefused: [String: Int] = [:]
    /// IPNS records in answers to our GET_RECORD lookups that failed validation.
    public var invalidRecordAnswers = 0
    /// Newer IPNS records sent to nodes that answered a lookup with an older one.
    public var recordsCorrected = 0
    /// IPNS records evicted to make room for records under keys nearer the node.
    public var recordsEvicted = 0
    /// IPNS records held for others.
    public var recordsHeld = 0
    /// Values evicted to make room for values under keys nearer the node.
    public var valuesEvicted = 0
    /// Provider records evicted to make room for records under keys nearer the node.
    public var providersEvicted = 0
    /// Contacts in the routing table.
    public var routingTableSize = 0
    /// Values held for others.
    public var valuesHeld = 0
    /// Provider records held for others.
    public var providerRecordsHeld = 0
    /// Own values and provided keys that the node announces and re-announces.
    public var ownRecords = 0
    /// Of those, the ones whose last announcement reached no node (queued until the node has contacts).
    public var ownRecordsQueued = 0
    /// Announcements of own records that at least one node accepted.
    public var announcementsAccepted = 0
    /// Announcements of own records that reached no node.
    public var announcementsUnanswered = 0
    /// Lookups completed (FIND_NODE, FIND_VALUE, GET_PROVIDERS started by commands).
    public var lookupsCompleted = 0
    /// `DIAL_PROBE`s sent from the probe socket, at others' request.
    public var probesSent = 0
    /// `DIAL_PROBE`s received (counted or not: ``reachabilityCounters`` says).
    public var probesReceived = 0
    /// Whether the node is reachable from outside, as its dial-backs found.
    public var reachability: ReachabilityStatus = .unknown
    /// The node's own dial-backs: sent, reached, unreached, inconclusive.
    public var reachabilityCounters = Reachability.Counters()
    /// `DIAL_BACK`s of others answered, by status.
    public var dialBacksServed: [DialStatus: Int] = [:]
    /// `DIAL_REQUEST`s answered, by status.
    public var dialRequestsServed: [DialStatus: Int] = [:]
    /// Requests left unanswered because the node runs as a client.
    public var requestsIgnoredAsClient = 0
    /// Contacts dropped from the routing table because they said they run as clients.
    public var clientsRemoved = 0

    /// All drops together.
    public var droppedTotal: Int { dropped.values.reduce(0, +) }

    /// Zero counters.
    public init() {}
}
