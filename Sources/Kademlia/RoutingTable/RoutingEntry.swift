/// A contact in a bucket with what the table knows of it.
public struct RoutingEntry: Hashable, Sendable {
    /// The node and the address it answered from.
    public var contact: Contact
    /// When it last answered a request of ours.
    public var lastSeen: DHTInstant
    /// Requests it failed since it last answered.
    public var failures: UInt8
    /// Its round-trip time.
    public var rtt: RTTEstimate

    /// Creates an entry for a contact that just answered.
    public init(contact: Contact, lastSeen: DHTInstant, failures: UInt8 = 0, rtt: RTTEstimate = RTTEstimate()) {
        self.contact = contact
        self.lastSeen = lastSeen
        self.failures = failures
        self.rtt = rtt
    }
}
