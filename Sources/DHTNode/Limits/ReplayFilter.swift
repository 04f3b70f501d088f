import Kademlia

/// Remembers recent requests by (sender key, transaction ID) so that a replayed request is dropped.
///
/// Honest nodes never resend a transaction ID: a retransmission is a new request with a new one. The filter holds
/// at most ``AbuseLimits/replayWindowEntries`` requests for ``AbuseLimits/replayWindow``.
struct ReplayFilter: Sendable {
    struct Mark: Hashable, Sendable {
        var keyPrefix: UInt64
        var keySuffix: UInt64
        var transactionID: UInt64
    }

    private var seen: BoundedRecencyMap<Mark, DHTInstant>
    private let window: Duration

    init(limits: AbuseLimits) {
        self.seen = BoundedRecencyMap(capacity: max(1, limits.replayWindowEntries))
        self.window = limits.replayWindow
    }

    /// Records the request; returns `false` when it was seen within the window (a replay).
    mutating func admit(senderKey: [UInt8], transactionID: TransactionID, now: DHTInstant) -> Bool {
        seen.removeOldest { now - $0 > window }
        var prefix: UInt64 = 0
        var suffix: UInt64 = 0
        for index in 0..<8 {
            prefix = prefix << 8 | UInt64(senderKey[index])
            suffix = suffix << 8 | UInt64(senderKey[24 + index])
        }
        let mark = Mark(keyPrefix: prefix, keySuffix: suffix, transactionID: transactionID.rawValue)
        if seen[mark] != nil { return false }
        seen.insert(now, for: mark)
        return true
    }
}
