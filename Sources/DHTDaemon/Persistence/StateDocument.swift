import DHTNode
import Foundation
import Kademlia

/// `state.json` as JSON: a ``DHTNode/NodeSnapshot`` in plain, stable fields (hex IDs, `A.B.C.D:PORT` addresses,
/// durations in seconds), kept apart from the runtime types so that either can change without breaking the other.
///
/// ```json
/// {"version": 1, "nodeID": "…", "savedAt": "2026-11-22T10:00:00Z",
///  "contacts": [{"id": "…", "address": "127.0.0.1:4001"}],
///  "records": {"values": […], "providers": […], "own": […]}}
/// ```
public struct StateDocument: Codable, Hashable, Sendable {
    /// The format version this build writes and reads.
    public static let currentVersion = 1

    /// The format version.
    public var version: Int
    /// The node whose state this is (64 hex digits).
    public var nodeID: String
    /// When it was saved (ISO 8601, UTC). Record lifetimes count down from here.
    public var savedAt: String
    /// The routing table's contacts.
    public var contacts: [ContactDocument]
    /// Records held and published.
    public var records: RecordsDocument

    /// The document of `snapshot`, taken from node `nodeID` at `savedAt`.
    public init(_ snapshot: NodeSnapshot, nodeID: NodeID, savedAt: Date) {
        self.version = Self.currentVersion
        self.nodeID = nodeID.hex
        self.savedAt = savedAt.formatted(.iso8601)
        self.contacts = snapshot.contacts.map(ContactDocument.init)
        self.records = RecordsDocument(snapshot.records)
    }

    /// The snapshot to restore at `now`: lifetimes shortened by the time since ``savedAt`` (records that expired
    /// meanwhile are left out; republishing that fell due meanwhile is due at once).
    ///
    /// - Throws: ``DocumentError`` naming the first field that does not parse.
    public func snapshot(now: Date = Date()) throws(DocumentError) -> NodeSnapshot {
        guard let saved = try? Date(savedAt, strategy: .iso8601) else {
            throw DocumentError(field: "savedAt", reason: "'\(savedAt)' is not an ISO 8601 date")
        }
        let elapsed = Duration.nanoseconds(Int64(max(0, now.timeIntervalSince(saved)) * 1e9))
        var contacts: [Contact] = []
        contacts.reserveCapacity(self.contacts.count)
        for (index, contact) in self.contacts.enumerated() {
            do {
                contacts.append(try contact.contact())
            } catch {
                throw DocumentError(field: "contacts[\(index)].\(error.field)", reason: error.reason)
            }
        }
        return NodeSnapshot(contacts: contacts, records: try records.snapshot(after: elapsed))
    }
}
