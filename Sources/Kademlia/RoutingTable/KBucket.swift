/// One bucket of a ``RoutingTable``: the contacts whose IDs share the same number of leading bits with ours.
public struct KBucket: Sendable {
    /// Live contacts, least recently seen first; at most k.
    public internal(set) var entries: [RoutingEntry] = []
    /// Verified contacts waiting for a place, most recently seen last.
    public internal(set) var replacements: [Contact] = []
    /// The last time a lookup aimed into this bucket or a contact entered it (drives bucket refresh).
    public internal(set) var lastActivity: DHTInstant
    /// The least-recently-seen contact being pinged before a newcomer may take its place, if any.
    public internal(set) var contactUnderEvictionPing: NodeID?

    init(now: DHTInstant) {
        lastActivity = now
    }

    func index(of id: NodeID) -> Int? {
        entries.firstIndex { $0.contact.id == id }
    }
}
