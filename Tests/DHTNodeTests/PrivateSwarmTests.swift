import Blocks
import DHTCrypto
import Exchange
import Kademlia
import Testing

@testable import DHTNode

/// Issue 6's private swarm test: 10 members and 3 outsiders (no key, or another key) on loopback.
@Suite("Private swarms on loopback", .serialized)
struct PrivateSwarmTests {
    static func node(key: SwarmKey?, bootstrap: [NodeAddress]) -> (Node, MemoryBlockStore) {
        let store = MemoryBlockStore()
        var configuration = LoopbackSwarm.configuration(bootstrap: bootstrap)
        configuration.swarmKey = key
        configuration.content = ContentConfiguration(
            store: store,
            transport: SecureTransportConfiguration(handshakeTimeout: .seconds(2)),
            providerSearchInterval: .milliseconds(300),
            unavailableTimeout: .seconds(2)
        )
        return (Node(configuration: configuration), store)
    }

    @Test("outsiders never enter a member's table, get no reply and fetch nothing; members work as usual")
    func membersAndOutsiders() async throws {
        let key = SwarmKey.generate()
        var members: [(Node, MemoryBlockStore)] = []
        let first = Self.node(key: key, bootstrap: [])
        try await first.0.start()
        members.append(first)
        let seed = first.0.listeningAddresses
        for _ in 1..<10 {
            let member = Self.node(key: key, bootstrap: seed)
            try await member.0.start()
            _ = try await member.0.bootstrap()
            members.append(member)
        }
        let outsiders = [Self.node(key: nil, bootstrap: seed), Self.node(key: .generate(), bootstrap: seed),
            Self.node(key: .generate(), bootstrap: seed)]
        for outsider in outsiders { try await outsider.0.start() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for outsider in outsiders {
                group.addTask { () async throws -> Void in
                    await #expect(throws: NodeError.self) { _ = try await outsider.0.bootstrap() }
                    #expect(try await outsider.0.ping(seed[0]) == nil)
                }
            }
            try await group.waitForAll()
        }

        // Members: put/get and a file provided by one, fetched by another.
        let greeting = NodeID(naming: "private-greeting")
        _ = try await members[3].0.put(Array("members only".utf8), under: greeting)
        #expect(try await members[8].0.get(greeting).map(\.data).contains(Array("members only".utf8)))
        let file = ExchangeNodeTests.fileBytes(300_000, seed: 5)
        let root = try ExchangeNodeTests.importFile(file, into: members[2].1)
        _ = try await members[2].0.provide(root)
        let fetch = try await members[7].0.cat(root)
        var fetched: [UInt8] = []
        for try await piece in fetch.bytes { fetched += piece }
        #expect(fetched == file)

        // Outsiders: cannot fetch it, even straight from the member that has it.
        let holder = Contact(id: members[2].0.id, address: members[2].0.listeningAddresses[0])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for outsider in outsiders {
                group.addTask { () async throws -> Void in
                    await #expect(throws: (any Error).self) { try await outsider.0.connect(to: holder) }
                    let attempt = try await outsider.0.cat(root)
                    await #expect(throws: NodeError.self) { for try await _ in attempt.bytes {} }
                }
            }
            try await group.waitForAll()
        }

        // No member's table holds an outsider; members dropped their datagrams as wrong-swarm.
        let outsiderIDs = Set(outsiders.map(\.0.id))
        var dropped = 0
        for (member, _) in members {
            let table = Set(try await member.peers().map(\.contact.id))
            #expect(table.isDisjoint(with: outsiderIDs))
            dropped += try await member.statistics().dropped[.wrongSwarm, default: 0]
        }
        #expect(dropped > 0)
        for (node, _) in members + outsiders { await node.stop() }
    }
}
