import HeapModule
import Kademlia

/// Request timeouts of the core, earliest first. The shell keeps one event-loop timer for the earliest entry
/// instead of one per request.
struct TimeoutQueue: Sendable {
    private struct Entry: Comparable, Sendable {
        var deadline: DHTInstant
        var transactionID: TransactionID

        static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.deadline < rhs.deadline }
        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.deadline == rhs.deadline && lhs.transactionID == rhs.transactionID
        }
    }

    private var heap = Heap<Entry>()

    /// Entries waiting.
    var count: Int { heap.count }

    /// The earliest deadline.
    var earliest: DHTInstant? { heap.min?.deadline }

    /// Adds a timeout.
    mutating func add(_ transactionID: TransactionID, at deadline: DHTInstant) {
        heap.insert(Entry(deadline: deadline, transactionID: transactionID))
    }

    /// Removes and returns every timeout due at `now`.
    mutating func popDue(now: DHTInstant) -> [TransactionID] {
        var due: [TransactionID] = []
        while let first = heap.min, first.deadline <= now {
            due.append(heap.removeMin().transactionID)
        }
        return due
    }

    /// Forgets every timeout.
    mutating func removeAll() {
        heap = Heap()
    }
}
