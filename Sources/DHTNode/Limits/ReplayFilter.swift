import DequeModule
import Kademlia

/// Remembers recent requests by (sender key, transaction ID) so that a replayed request is dropped.
///
/// Honest nodes never resend a transaction ID: a retransmission is a new request with a new one. The filter holds
/// at most ``AbuseLimits/replayWindowEntries`` requests for ``AbuseLimits/replayWindow``.
///
/// Marks are never refreshed, so they leave in the order they came: a queue in arrival order says which mark
/// expires (or is evicted at the cap) next, and the set answers "seen?". Admitting a request costs one set
/// insertion and, once the filter is warm, one removal: this runs for every request the node answers.
struct ReplayFilter: Sendable {
    struct Mark: Hashable, Sendable {
        var keyPrefix: UInt64
        var keySuffix: UInt64
        var transactionID: UInt64
    }

    private var seen: Set<Mark> = []
    private var arrivals: Deque<(mark: Mark, at: DHTInstant)> = []
    private let capacity: Int
    private let window: Duration

    init(limits: AbuseLimits) {
        self.capacity = max(1, limits.replayWindowEntries)
        self.window = limits.replayWindow
    }

    /// Requests remembered.
    var count: Int { seen.count }

    /// Records the request; returns `false` when it was seen within the window (a replay).
    mutating func admit(senderKey: [UInt8], transactionID: TransactionID, now: DHTInstant) -> Bool {
        precondition(senderKey.count == DHTDatagram.senderKeyByteCount, "decoded sender keys are 32 bytes")
        while let oldest = arrivals.first, now - oldest.at > window {
            seen.remove(oldest.mark)
            arrivals.removeFirst()
        }
        let mark = senderKey.withUnsafeBytes { key in
            Mark(
                keyPrefix: key.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                keySuffix: key.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
                transactionID: transactionID.rawValue
            )
        }
        guard seen.insert(mark).inserted else { return false }
        arrivals.append((mark, now))
        if arrivals.count > capacity, let evicted = arrivals.popFirst() {
            seen.remove(evicted.mark)
        }
        return true
    }
}
