/// Whether the roots an add or a CAR import stored were announced as provided in the DHT when the answer went
/// out (`announcement` in ``AddDocument`` and ``CARImportDocument``).
public enum Announcement: String, Codable, Hashable, Sendable {
    /// The provider record reached at least one of the nodes closest to the root's key.
    case announced
    /// The announcement was still under way when the answer went out; it goes on in the background.
    case announcing
    /// It reached no node (the node has no peers yet, or none answered): the node announces it again as soon as
    /// its routing table gains a contact, and every minute until one accepts it.
    case queued
    /// Not announced at all: the daemon exchanges no blocks, or nothing was stored (`only-hash`).
    case none
}
