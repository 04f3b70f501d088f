import Kademlia

/// What a node persists across restarts: its routing table's contacts and the records it holds and publishes.
///
/// ``Node/snapshot()`` takes one; ``NodeConfiguration/restoredState`` gives one back at start, so a restarted node
/// answers lookups at once without re-bootstrapping.
public struct NodeSnapshot: Hashable, Sendable {
    /// The routing table's contacts, each with the address it last answered from.
    public var contacts: [Contact]
    /// Records held for others and our own published records, lifetimes relative to the snapshot.
    public var records: RecordSnapshot

    /// Creates a snapshot.
    public init(contacts: [Contact], records: RecordSnapshot = RecordSnapshot()) {
        self.contacts = contacts
        self.records = records
    }
}
