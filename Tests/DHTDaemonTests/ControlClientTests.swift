import Blocks
import DHTDaemon
import DHTNode
import Foundation
import Hummingbird
import Kademlia
import Logging
import NIOCore
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ``ControlClient`` against a live API (Hummingbird on 127.0.0.1:0 over a ``FakeNode``), found through a data
/// directory as the CLI finds it.
@Suite struct ControlClientTests {
    /// Serves the API on a free port, writes `api.json` and `api-token` into `data`, runs `body`, shuts down.
    private func withLiveAPI(
        node: FakeNode,
        data: DataDirectory,
        repository: BlockRepository? = nil,
        _ body: @Sendable (ControlClient) async throws -> Void
    ) async throws {
        let token = APIToken.generate()
        try token.save(to: data.apiTokenPath)
        let (bound, announce) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: ControlAPI.router(node: node, token: token, metrics: nil, repository: repository),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let group = ServiceGroup(
            services: [app],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = bound.makeAsyncIterator()
            let port = await ports.next() ?? 0
            try APIEndpoint(
                url: "http://127.0.0.1:\(port)",
                address: "127.0.0.1:\(port)",
                pid: getpid(),
                nodeID: node.id.hex,
                listen: [],
                startedAt: ""
            ).save(to: data.apiEndpointPath)
            let client = try ControlClient(dataDirectory: data)
            do {
                try await body(client)
            } catch {
                await client.close()
                await group.triggerGracefulShutdown()
                throw error
            }
            await client.close()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func everyCallReachesTheNode() async throws {
        try await withAsyncTemporaryFolder { folder in
            let node = FakeNode()
            try await withLiveAPI(node: node, data: DataDirectory(path: folder)) { client in
                let result1 = try await client.info()
                #expect(result1.id == node.id.hex)
                let result2 = try await client.peers()
                #expect(result2.peers.map(\.id) == [FakeNode.peer.id.hex])
                let result3 = try await client.statistics()
                #expect(result3.routingTableSize == 1)
                let key = NodeID(naming: "greeting")
                let result4 = try await client.findNode(key)
                #expect(result4.closest.first?.id == FakeNode.peer.id.hex)
                let result5 = try await client.put(Array("hello".utf8), under: key)
                #expect(result5.accepted == 1)
                let result6 = try await client.get(key)
                #expect(result6.values.first?.text == "hello")
                let result7 = try await client.provide(key)
                #expect(result7.accepted == 1)
                let result8 = try await client.providers(of: key)
                #expect(result8.providers.count == 1)
            }
        }
    }

    @Test func aWrongTokenIsReportedAsRefused() async throws {
        try await withAsyncTemporaryFolder { folder in
            let data = DataDirectory(path: folder)
            try await withLiveAPI(node: FakeNode(), data: data) { _ in
                try APIToken.generate().save(to: data.apiTokenPath)
                let client = try ControlClient(dataDirectory: data)
                await #expect {
                    _ = try await client.info()
                } throws: { error in
                    let error = error as? ControlClientError
                    return error?.code == .unauthorized && error?.status == 401
                        && error?.description.contains("refused the API token") == true
                }
                await client.close()
            }
        }
    }

    @Test func nodeErrorsArriveWithTheirStatusAndCode() async throws {
        try await withAsyncTemporaryFolder { folder in
            let node = FakeNode()
            node.failure.withLock { $0 = .valueTooLarge(bytes: 3000, limit: 1024) }
            try await withLiveAPI(node: node, data: DataDirectory(path: folder)) { client in
                await #expect {
                    _ = try await client.put([1, 2, 3], under: NodeID(naming: "k"))
                } throws: { error in
                    let error = error as? ControlClientError
                    return error?.code == .refused && error?.status == 413 && error?.apiCode == "value_too_large"
                }
            }
        }
    }

    @Test func noDaemonIsAClearError() throws {
        try withTemporaryFolder { folder in
            #expect {
                _ = try ControlClient(dataDirectory: DataDirectory(path: folder))
            } throws: { error in
                let error = error as? ControlClientError
                return error?.code == .noDaemon
                    && error?.description
                        == "no dhtnode daemon is running for data dir \(folder) (start one with `dhtnode run`)"
            }
        }
    }

    @Test func aStaleEndpointIsTold() throws {
        try withTemporaryFolder { folder in
            let data = DataDirectory(path: folder)
            // A PID above the kernel's pid_max never runs.
            try APIEndpoint(
                url: "http://127.0.0.1:1",
                address: "127.0.0.1:1",
                pid: 0x3fff_ffff,
                nodeID: "",
                listen: [],
                startedAt: ""
            ).save(to: data.apiEndpointPath)
            #expect {
                _ = try ControlClient(dataDirectory: data)
            } throws: { error in
                (error as? ControlClientError)?.code == .staleEndpoint
            }
        }
    }

    @Test func aLiveProcessThatDoesNotAnswerIsUnreachable() async throws {
        try await withAsyncTemporaryFolder { folder in
            let data = DataDirectory(path: folder)
            try APIToken.generate().save(to: data.apiTokenPath)
            // Our own PID runs, but nothing listens on port 1.
            try APIEndpoint(
                url: "http://127.0.0.1:1",
                address: "127.0.0.1:1",
                pid: getpid(),
                nodeID: "",
                listen: [],
                startedAt: ""
            ).save(to: data.apiEndpointPath)
            let client = try ControlClient(dataDirectory: data)
            let start = ContinuousClock.now
            await #expect {
                _ = try await client.info()
            } throws: { error in
                (error as? ControlClientError)?.code == .unreachable
            }
            // Without the no-retry setting the client retried for about 60 s; allow for a machine busy with other suites
            // (a full parallel run on two cores took 26 s here).
            #expect(ContinuousClock.now - start < .seconds(40), "a refused connection is reported at once")
            await client.close()
        }
    }

    @Test func aReadThatStopsAfterItsStatusReportsTheDaemonsReason() async throws {
        try await withAsyncTemporaryFolder { folder in
            let repository = try BlockRepository(path: folder + "/repo")
            // One leaf that reads, then a chain of file nodes deeper than the reader goes.
            let first = try Block(codec: .raw, hashing: [UInt8](repeating: 7, count: FileReadJob.pieceBytes))
            var bottom = try Block(codec: .raw, hashing: [42])
            try repository.store.put(first)
            try repository.store.put(bottom)
            for _ in 0...FileDAGWalker.maxDepth {
                let node = PBNode(
                    links: [PBLink(hash: bottom.cid)], data: UnixFSData.fileNode(blocksizes: [1]).encoded())
                bottom = try Block(codec: .dagPB, hashing: node.encoded())
                try repository.store.put(bottom)
            }
            let root = try Block(
                codec: .dagPB,
                hashing: PBNode(
                    links: [PBLink(hash: first.cid), PBLink(hash: bottom.cid)],
                    data: UnixFSData.fileNode(blocksizes: [UInt64(FileReadJob.pieceBytes), 1]).encoded()
                ).encoded())
            try repository.store.put(root)
            let data = DataDirectory(path: folder)
            try await withLiveAPI(node: FakeNode(), data: data, repository: repository) { client in
                do {
                    try await client.cat(root.cid, range: nil, start: { _ in }, write: { _ in })
                    Issue.record("a DAG too deep to read was read")
                } catch let error as ControlClientError {
                    #expect(error.description.contains("stopped sending \(root.cid) after"))
                    #expect(error.description.contains("deeper than \(FileDAGWalker.maxDepth) levels"))
                    #expect(!error.description.contains("see the daemon's log"))
                    #expect(error.apiCode == "stream_failed")
                }
            }
        }
    }
}
