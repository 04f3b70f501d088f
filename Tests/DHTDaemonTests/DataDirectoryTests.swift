import DHTCrypto
import DHTDaemon
import Kademlia
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct DataDirectoryTests {
    @Test func theFolderIsDataThenEnvironmentThenHome() {
        #expect(DataDirectory.resolve("/x", environment: ["DHTNODE_DATA": "/y", "HOME": "/h"]).path == "/x")
        #expect(DataDirectory.resolve(nil, environment: ["DHTNODE_DATA": "/y", "HOME": "/h"]).path == "/y")
        #expect(DataDirectory.resolve(nil, environment: ["HOME": "/h"]).path == "/h/.dhtnode")
        #expect(DataDirectory.resolve("", environment: ["HOME": "/h"]).path == "/h/.dhtnode")
    }

    @Test func theIdentityIsCreatedOnceWithMode0600() throws {
        try withTemporaryFolder { folder in
            let data = DataDirectory(path: folder + "/data")
            try data.create()
            #expect(try fileMode(data.path) == 0o700)
            let first = try data.loadOrCreateIdentity()
            #expect(first.created)
            #expect(try fileMode(data.identityPath) == 0o600)
            let second = try data.loadOrCreateIdentity()
            #expect(!second.created)
            #expect(second.identity.publicKey == first.identity.publicKey)
            removeFolder(data.path)
        }
    }

    @Test func twoDaemonsCannotShareAFolder() throws {
        try withTemporaryFolder { folder in
            let lock = try DaemonLock(path: folder + "/daemon.lock")
            #expect(throws: PersistenceError.self) { try DaemonLock(path: folder + "/daemon.lock") }
            withExtendedLifetime(lock) {}
        }
        try withTemporaryFolder { folder in
            // Released with its owner.
            do { _ = try DaemonLock(path: folder + "/daemon.lock") }
            _ = try DaemonLock(path: folder + "/daemon.lock")
        }
    }

    @Test func apiJSONRoundTrips() throws {
        try withTemporaryFolder { folder in
            let endpoint = APIEndpoint(
                url: "http://127.0.0.1:5001",
                address: "127.0.0.1:5001",
                pid: getpid(),
                nodeID: String(repeating: "ab", count: 32),
                listen: ["127.0.0.1:4001"],
                startedAt: "2025-01-01T00:00:00Z"
            )
            let path = folder + "/api.json"
            try endpoint.save(to: path)
            #expect(try APIEndpoint.load(from: path) == endpoint)
            try APIEndpoint.remove(at: path)
            try APIEndpoint.remove(at: path)
            #expect(folderEntries(folder).isEmpty)
        }
    }

    @Test func bindAddressesMayUsePortZero() throws {
        #expect(try NodeAddress(parsingBindAddress: "127.0.0.1:0") == NodeAddress(ipv4: 0x7f00_0001, port: 0))
        #expect(try NodeAddress(parsingBindAddress: "0.0.0.0:4001") == NodeAddress(ipv4: 0, port: 4001))
        #expect(try NodeAddress(parsingBindAddress: "[::1]:0").port == 0)
        #expect(try NodeAddress(parsingBindAddress: "[::1]:0").hostText == "::1")
        #expect(try NodeAddress(parsingBindAddress: "127.0.0.1:10").hostText == "127.0.0.1")
        #expect(throws: NodeAddressParseError.self) { try NodeAddress(parsingBindAddress: "localhost:0") }
        #expect(throws: NodeAddressParseError.self) { try NodeAddress(parsingBindAddress: "127.0.0.1") }
    }
}
