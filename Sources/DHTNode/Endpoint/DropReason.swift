/// Why the node dropped a datagram. Each reason has a counter (``NodeStatistics/dropped``) and a label on the
/// `dht_datagrams_dropped_total` metric.
public enum DropReason: String, CaseIterable, Hashable, Sendable {
    /// Shorter than the header, or a field runs past the end.
    case truncated
    /// Longer than 1,280 bytes.
    case oversized
    /// A version byte this node does not speak.
    case wrongVersion = "wrong-version"
    /// Any other decoding error (unknown type, bad flags, bad lengths, trailing bytes).
    case malformed
    /// A response whose sender key does not hash to the ID of the node we asked.
    case wrongKey = "wrong-key"
    /// A PONG whose signature over our challenge does not verify.
    case badSignature = "bad-signature"
    /// A request with the same sender key and transaction ID as one seen within the replay window.
    case replayed
    /// A response that matches no request of ours from that address (late, duplicate, or forged).
    case unmatchedResponse = "unmatched-response"
    /// STORE or ADD_PROVIDER without a valid write token for the sender's address.
    case badToken = "bad-token"
    /// The source IP sent more requests than its token bucket allows.
    case sourceRateLimited = "source-rate-limited"
    /// Inbound datagrams over the global budget.
    case globalRateLimited = "global-rate-limited"
    /// A datagram carrying our own key (a reflection).
    case fromSelf = "from-self"
    /// In a private swarm: a datagram that does not open with the swarm's key (an outsider, or another swarm).
    case wrongSwarm = "wrong-swarm"
    /// An outbound datagram that did not fit the send queue.
    case sendQueueFull = "send-queue-full"
}
