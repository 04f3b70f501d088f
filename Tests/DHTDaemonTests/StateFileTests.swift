import DHTCrypto
import DHTDaemon
import DHTNode
import Foundation
import Kademlia
import Logging
import Testing

@Suite struct StateFileTests {
    static let nodeID = NodeID(hashing: Array("me".utf8))
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func contact(_ name: String, _ host: String, _ port: UInt16) throws -> Contact {
        Contact(id: NodeID(hashing: Array(name.utf8)), address: try NodeAddress(parsing: "\(host):\(port)"))
    }

    static func sampleSnapshot() throws -> NodeSnapshot {
        let key = NodeID(hashing: Array("key".utf8))
        let records = RecordSnapshot(
            values: [
                RecordSnapshot.HeldValue(
                    key: key,
                    value: DHTValue(publisher: NodeID(hashing: [1]), data: [0, 1, 2, 255]),
                    source: .ipv4(0x7f00_0002),
                    remaining: .seconds(3600)
                )
            ],
            providers: [
                RecordSnapshot.HeldProvider(
                    key: key,
                    provider: try contact("p", "[::1]", 4001),
                    remaining: .seconds(7200)
                )
            ],
            own: [
                RecordSnapshot.OwnRecord(
                    key: key,
                    value: Array("hello".utf8),
                    ttl: .seconds(86400),
                    untilRepublish: .seconds(600)
                ),
                RecordSnapshot.OwnRecord(
                    key: NodeID(hashing: [2]),
                    value: nil,
                    ttl: .seconds(172_800),
                    untilRepublish: .seconds(5)
                ),
            ]
        )
        return NodeSnapshot(
            contacts: [try contact("a", "127.0.0.1", 4001), try contact("b", "[2001:db8::1]", 65535)],
            records: records
        )
    }

    @Test func aSnapshotRoundTripsThroughTheFile() throws {
        try withTemporaryFolder { folder in
            let file = StateFile(path: folder + "/state.json")
            let snapshot = try Self.sampleSnapshot()
            // Whole seconds: savedAt is written to the second.
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            try file.save(snapshot, of: Self.nodeID, now: now)
            #expect(try fileMode(file.path) == 0o600)
            #expect(folderEntries(folder) == ["state.json"], "no temporary file is left behind")
            let document = try #require(try file.load())
            #expect(document.nodeID == Self.nodeID.hex)
            #expect(try document.snapshot(now: now) == snapshot)
            #expect(file.restore(for: Self.nodeID, logger: Self.logger, now: now) == snapshot)
        }
    }

    @Test func theJSONUsesHexAddressesAndSeconds() throws {
        try withTemporaryFolder { folder in
            let file = StateFile(path: folder + "/state.json")
            try file.save(try Self.sampleSnapshot(), of: Self.nodeID)
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(readFile(file.path))) as? [String: Any]
            )
            let contacts = try #require(json["contacts"] as? [[String: Any]])
            #expect(contacts.first?["address"] as? String == "127.0.0.1:4001")
            #expect(contacts.last?["address"] as? String == "[2001:db8::1]:65535")
            #expect((contacts.first?["id"] as? String)?.count == 64)
            let records = try #require(json["records"] as? [String: Any])
            let values = try #require(records["values"] as? [[String: Any]])
            #expect((values.first?["remainingSeconds"] as? NSNumber)?.doubleValue == 3600)
            #expect(values.first?["source"] as? String == "127.0.0.2")
        }
    }

    @Test func timeSinceTheSaveShortensLifetimes() throws {
        let saved = Date(timeIntervalSince1970: 1_000_000)
        let document = StateDocument(try Self.sampleSnapshot(), nodeID: Self.nodeID, savedAt: saved)
        let later = try document.snapshot(now: saved.addingTimeInterval(5000))
        #expect(later.records.values.isEmpty, "held for 3,600 s: expired")
        #expect(later.records.providers.map(\.remaining) == [.seconds(2200)])
        #expect(later.records.own.map(\.untilRepublish) == [.zero, .zero])
        #expect(later.records.own.map(\.ttl) == [.seconds(86400), .seconds(172_800)])
        #expect(later.contacts.count == 2)
    }

    @Test(arguments: [
        "{\"version\": 1, \"contacts\": [",
        "not json at all",
        "{\"version\": 2, \"nodeID\": \"\", \"savedAt\": \"2026-01-01T00:00:00Z\", \"contacts\": [], "
            + "\"records\": {\"values\": [], \"providers\": [], \"own\": []}}",
        "{\"version\": 1, \"nodeID\": \"\", \"savedAt\": \"2026-01-01T00:00:00Z\", "
            + "\"contacts\": [{\"id\": \"zz\", \"address\": \"127.0.0.1:1\"}], "
            + "\"records\": {\"values\": [], \"providers\": [], \"own\": []}}",
        "{\"version\": 1, \"nodeID\": \"\", \"savedAt\": \"2026-01-01T00:00:00Z\", \"contacts\": "
            + "[{\"id\": \"\(String(repeating: "0", count: 64))\", \"address\": \"127.0.0.1\"}], "
            + "\"records\": {\"values\": [], \"providers\": [], \"own\": []}}",
    ])
    func aCorruptFileIsMovedAsideAndNeverFatal(contents: String) throws {
        try withTemporaryFolder { folder in
            let file = StateFile(path: folder + "/state.json")
            try writeFile(file.path, Array(contents.utf8), mode: 0o600)
            #expect(throws: PersistenceError.self) { _ = try file.load() }
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            #expect(file.restore(for: Self.nodeID, logger: Self.logger, now: now) == nil)
            #expect(folderEntries(folder) == ["state.json.corrupt-1700000000"])
            #expect(try readFile(folder + "/state.json.corrupt-1700000000") == Array(contents.utf8))
        }
    }

    @Test func aCorruptFileIsReportedInTheLog() throws {
        try withTemporaryFolder { folder in
            let file = StateFile(path: folder + "/state.json")
            try writeFile(file.path, Array("{".utf8), mode: 0o600)
            let log = LogCapture()
            #expect(file.restore(for: Self.nodeID, logger: log.logger) == nil)
            let messages = log.messages
            #expect(messages.contains { $0.level == .error && $0.text.contains("state file is unreadable") })
        }
    }

    @Test func noFileIsNoState() throws {
        try withTemporaryFolder { folder in
            let file = StateFile(path: folder + "/state.json")
            let loaded = try file.load()
            #expect(loaded == nil)
            #expect(file.restore(for: Self.nodeID, logger: Self.logger) == nil)
            #expect(folderEntries(folder).isEmpty)
        }
    }

    @Test func anotherNodesStateIsIgnoredButKept() throws {
        try withTemporaryFolder { folder in
            let file = StateFile(path: folder + "/state.json")
            try file.save(try Self.sampleSnapshot(), of: NodeID(hashing: Array("someone else".utf8)))
            #expect(file.restore(for: Self.nodeID, logger: Self.logger) == nil)
            #expect(folderEntries(folder) == ["state.json"])
        }
    }
}
