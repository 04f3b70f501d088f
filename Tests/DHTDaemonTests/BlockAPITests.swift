import Blocks
import DHTDaemon
import Foundation
import Hummingbird
import HummingbirdTesting
import Kademlia
import Logging
import NIOCore
import Testing

/// The block repository's routes (``BlockController``), driven in memory (HummingbirdTesting's router mode) over
/// a ``BlockRepository`` in a temporary folder.
@Suite struct BlockAPITests {
    let node = FakeNode()
    let token = APIToken.generate()

    private func withApp(
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ test: @Sendable (any TestClientProtocol, BlockRepository) async throws -> Void
    ) async throws {
        try await withAsyncTemporaryFolder { folder in
            let repository = try BlockRepository(path: folder + "/repo")
            let router = ControlAPI.router(node: node, token: token, metrics: nil, repository: repository)
            try await Application(router: router, logger: logger).test(.router) { client in
                try await test(client, repository)
            }
        }
    }

    private var bearer: HTTPFields { [.authorization: "Bearer \(token.text)"] }

    private static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
    }

    /// `POST /v1/add?query` with `file`; the answer, which must be 200.
    private func add(_ client: any TestClientProtocol, _ query: String, _ file: [UInt8]) async throws -> AddDocument {
        try await client.execute(uri: "/v1/add?\(query)", method: .post, headers: bearer, body: ByteBuffer(bytes: file))
        {
            #expect($0.status == .ok)
            return try Self.decode(AddDocument.self, $0)
        }
    }

    private static func errorCode(_ response: TestResponse) -> String? {
        try? decode(ErrorDocument.self, response).error.code
    }

    @Test func everyRepositoryRouteRefusesARequestWithoutTheToken() async throws {
        let cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        let routes: [(String, HTTPRequest.Method)] = [
            ("/v1/add", .post), ("/v1/car", .post), ("/v1/cat/\(cid)", .get), ("/v1/blocks/\(cid)", .get),
            ("/v1/pins", .get), ("/v1/pins/\(cid)", .post), ("/v1/pins/\(cid)", .delete), ("/v1/gc", .post),
            ("/v1/repo/stat", .get),
        ]
        try await withApp { client, _ in
            for (path, method) in routes {
                try await client.execute(uri: path, method: method, headers: [:], body: ByteBuffer(string: "x")) {
                    #expect($0.status == .unauthorized, "\(method) \(path)")
                }
            }
        }
    }

    @Test func addThenCatRoundTripsTheFileAndItsRanges() async throws {
        let file = Self.bytes(3 << 20 + 12345)
        let expected = try BalancedDAGBuilder.importBytes(file, to: MemoryBlockStore())
        try await withApp { client, _ in
            let added = try await add(client, "", file)
            #expect(added.cid == expected.root.description)
            #expect(added.size == UInt64(file.count))
            #expect(added.blocks == expected.blockCount)
            #expect(added.profile == "unixfs-v0-2015+cidv1")
            #expect(added.pinned)

            try await client.execute(uri: "/v1/cat/\(added.cid)", method: .get, headers: bearer) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.headers[.contentLength] == String(file.count))
                #expect(Array(buffer: response.body) == file)
            }
            for (range, slice) in [
                ("1000-300000", 1000..<300_000), ("3000000-", 3_000_000..<file.count), ("7-7", 7..<7),
            ] {
                try await client.execute(uri: "/v1/cat/\(added.cid)?range=\(range)", method: .get, headers: bearer) {
                    #expect($0.status == .ok, "\(range)")
                    #expect(Array(buffer: $0.body) == Array(file[slice]), "\(range)")
                    #expect($0.headers[BlockController<BasicRequestContext>.fileSizeHeader] == String(file.count))
                }
            }
            try await client.execute(
                uri: "/v1/cat/\(added.cid)?range=5-\(file.count + 1)",
                method: .get,
                headers: bearer
            ) {
                #expect($0.status == .rangeNotSatisfiable)
                #expect(Self.errorCode($0) == "range_not_satisfiable")
                let message = try Self.decode(ErrorDocument.self, $0).error.message
                #expect(message == "range 5-\(file.count + 1) is outside the file of \(file.count) bytes")
            }
            for bad in ["5", "a-b", "9-3"] {
                try await client.execute(uri: "/v1/cat/\(added.cid)?range=\(bad)", method: .get, headers: bearer) {
                    #expect($0.status == .badRequest, "\(bad)")
                }
            }
        }
    }

    @Test func addOptionsChangeTheProfileAndCanSkipWritingAndPinning() async throws {
        let file = Self.bytes(100_000, seed: 2)
        let small = try ImportProfile.unixfsV1_2025.withChunkSize(4096)
        let expected = try BalancedDAGBuilder.importBytes(file, profile: small, to: MemoryBlockStore())
        try await withApp { client, repository in
            let hashed = try await add(client, "profile=unixfs-v1-2025&chunk-size=4096&only-hash=true", file)
            #expect(hashed.cid == expected.root.description)
            #expect(hashed.profile == "unixfs-v1-2025 chunk=4096")
            #expect(!hashed.pinned)
            #expect(try repository.store.stat().blockCount == 0)

            let unpinned = try await add(client, "pin=false", file)
            #expect(!unpinned.pinned)
            #expect(try repository.store.pins().isEmpty)

            for query in ["profile=kubo", "chunk-size=0", "chunk-size=many", "pin=yes", "only-hash=1"] {
                try await client.execute(
                    uri: "/v1/add?\(query)",
                    method: .post,
                    headers: bearer,
                    body: ByteBuffer(bytes: file)
                ) {
                    #expect($0.status == .badRequest, "\(query)")
                    #expect(Self.errorCode($0) == "bad_request")
                }
            }
        }
    }

    @Test func pinsAndGarbageCollection() async throws {
        let file = Self.bytes(600_000, seed: 3)
        try await withApp { client, _ in
            let added = try await add(client, "pin=false", file)
            try await client.execute(uri: "/v1/pins", method: .get, headers: bearer) {
                let pins = try Self.decode(PinsDocument.self, $0).pins
                #expect(pins.isEmpty)
            }
            try await client.execute(uri: "/v1/pins/\(added.cid)", method: .post, headers: bearer) {
                let pinned = try Self.decode(PinDocument.self, $0)
                #expect(pinned.cid == added.cid)
            }
            try await client.execute(uri: "/v1/pins", method: .get, headers: bearer) {
                let pins = try Self.decode(PinsDocument.self, $0).pins
                #expect(pins == [added.cid])
            }
            try await client.execute(uri: "/v1/gc", method: .post, headers: bearer) {
                let report = try Self.decode(GCDocument.self, $0)
                #expect(report.removedBlocks == 0)
                #expect(report.keptBlocks == 4)  // 3 leaves and the root
            }
            try await client.execute(uri: "/v1/pins/\(added.cid)", method: .delete, headers: bearer) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/pins/\(added.cid)", method: .delete, headers: bearer) {
                #expect($0.status == .notFound)
                #expect(Self.errorCode($0) == "not_pinned")
                let message = try Self.decode(ErrorDocument.self, $0).error.message
                #expect(message == "\(added.cid) is not pinned")
            }
            try await client.execute(uri: "/v1/gc", method: .post, headers: bearer) {
                let report = try Self.decode(GCDocument.self, $0)
                #expect(report.removedBlocks == 4)
                #expect(report.removedBytes > UInt64(file.count))
            }
            try await client.execute(uri: "/v1/repo/stat", method: .get, headers: bearer) {
                let stat = try Self.decode(RepoStatDocument.self, $0)
                #expect(stat.blocks == 0)
                #expect(stat.pins == 0)
                #expect(stat.path.hasSuffix("/repo"))
            }
            try await client.execute(uri: "/v1/cat/\(added.cid)", method: .get, headers: bearer) {
                #expect($0.status == .notFound)
                #expect(Self.errorCode($0) == "not_found")
            }
            let missing = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
            try await client.execute(uri: "/v1/pins/\(missing)", method: .post, headers: bearer) {
                #expect($0.status == .conflict)
                #expect(Self.errorCode($0) == "incomplete_dag")
            }
            try await client.execute(uri: "/v1/blocks/not-a-cid", method: .get, headers: bearer) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test func carImportStoresAndPinsAWholeDAGAndRejectsABadOneEntirely() async throws {
        let store = MemoryBlockStore()
        let file = Self.bytes(700_000, seed: 5)
        let root = try BalancedDAGBuilder.importBytes(file, to: store).root
        var written: [UInt8] = []
        _ = try CARWriter.export(root: root, from: store) { written += $0 }
        let car = written
        try await withApp { client, repository in
            // A corrupt byte in the last block: rejected, and nothing of the file stays.
            var corrupt = car
            corrupt[corrupt.count - 10] ^= 0xff
            try await client.execute(uri: "/v1/car", method: .post, headers: bearer, body: ByteBuffer(bytes: corrupt)) {
                #expect($0.status == .badRequest)
                #expect(Self.errorCode($0) == "invalid_car")
            }
            // Cut short in the middle of a section.
            try await client.execute(
                uri: "/v1/car",
                method: .post,
                headers: bearer,
                body: ByteBuffer(bytes: car[..<(car.count - 100)])
            ) {
                #expect($0.status == .badRequest)
                #expect(Self.errorCode($0) == "invalid_car")
            }
            #expect(try repository.store.stat().blockCount == 0)
            #expect(try repository.store.stat().temporaryFileCount == 0)

            try await client.execute(uri: "/v1/car", method: .post, headers: bearer, body: ByteBuffer(bytes: car)) {
                #expect($0.status == .ok)
                let imported = try Self.decode(CARImportDocument.self, $0)
                #expect(imported.roots == [root.description])
                #expect(imported.pinned == [root.description])
                #expect(imported.blocks == store.count)
            }
            #expect(try repository.store.pins() == [root])
            try await client.execute(uri: "/v1/cat/\(root)", method: .get, headers: bearer) {
                #expect(Array(buffer: $0.body) == file)
            }
            try await client.execute(uri: "/v1/blocks/\(root)", method: .get, headers: bearer) {
                #expect($0.status == .ok)
                let stored = try store.get(root)
                #expect(Array(buffer: $0.body) == stored)
            }
        }
    }

    @Test(arguments: [1, 7, 4096])
    func carImportFramesSectionsThatArriveInAnyPieces(pieceSize: Int) async throws {
        let store = MemoryBlockStore()
        let profile = try ImportProfile.unixfsV0_2015_cidv1.withChunkSize(1000)
        let root = try BalancedDAGBuilder.importBytes(Self.bytes(40_000, seed: 6), profile: profile, to: store).root
        var written: [UInt8] = []
        _ = try CARWriter.export(root: root, from: store) { written += $0 }
        let car = written
        let pieces = stride(from: 0, to: car.count, by: pieceSize).map {
            ByteBuffer(bytes: car[$0..<min($0 + pieceSize, car.count)])
        }
        try await withAsyncTemporaryFolder { folder in
            let repository = try BlockRepository(path: folder + "/repo")
            let result = try await repository.importCAR(AsyncStreamOf(pieces), pin: true)
            #expect(result.roots == [root])
            #expect(result.blockCount == store.count)
            #expect(result.pinned == [root])
            #expect(try repository.store.stat().blockCount == store.count)
        }
    }

    @Test func aDirectoryIsNotAFileToCat() async throws {
        let directory = try DirectoryNodeBuilder(path: "empty").finish(sharding: .legacyLinks).block
        try await withApp { client, repository in
            try repository.store.put(directory)
            try await client.execute(uri: "/v1/cat/\(directory.cid)", method: .get, headers: bearer) {
                #expect($0.status == .badRequest)
                #expect(Self.errorCode($0) == "not_a_file")
            }
        }
    }

    /// A file whose first leaf reads, then a chain of file nodes deeper than ``FileDAGWalker/maxDepth``: its read
    /// fails after the status and the first piece went out.
    private static func tooDeepFile(in store: FileBlockStore) throws -> (root: CID, size: UInt64) {
        let first = try Block(codec: .raw, hashing: bytes(FileReadJob.pieceBytes))
        var bottom = try Block(codec: .raw, hashing: [42])
        try store.put(first)
        try store.put(bottom)
        for _ in 0...FileDAGWalker.maxDepth {
            let node = PBNode(links: [PBLink(hash: bottom.cid)], data: UnixFSData.fileNode(blocksizes: [1]).encoded())
            bottom = try Block(codec: .dagPB, hashing: node.encoded())
            try store.put(bottom)
        }
        let size = UInt64(FileReadJob.pieceBytes) + 1
        let root = PBNode(
            links: [PBLink(hash: first.cid), PBLink(hash: bottom.cid)],
            data: UnixFSData.fileNode(blocksizes: [UInt64(FileReadJob.pieceBytes), 1]).encoded())
        let block = try Block(codec: .dagPB, hashing: root.encoded())
        try store.put(block)
        return (block.cid, size)
    }

    @Test func aReadThatFailsAfterItsStatusIsLoggedOnceAndKeptForTheClient() async throws {
        let log = LogCapture()
        try await withApp(logger: log.logger) { client, repository in
            let (root, size) = try Self.tooDeepFile(in: repository.store)
            do {
                try await client.execute(uri: "/v1/cat/\(root)", method: .get, headers: bearer) { response in
                    // Whatever of the body the test client hands over, the answer must not pass for the file.
                    #expect(response.status != .ok || response.body.readableBytes < Int(size))
                }
            } catch {
                // The body ended early: what a client sees when the connection closes before Content-Length.
            }
            let warnings = log.messages.filter { $0.level == .warning }
            #expect(warnings.count == 1)
            let warning = try #require(warnings.first)
            #expect(warning.text.contains("after its status was sent"))
            #expect(warning.text.contains("deeper than \(FileDAGWalker.maxDepth) levels"))
            #expect(warning.metadata["route"]?.description == "GET /v1/cat/{cid}")
            #expect(warning.metadata["target"]?.description == "\"\(root)\"")
            // The first stream of a new controller is 1: its failure is there for the client to ask.
            try await client.execute(uri: "/v1/failures/1", method: .get, headers: bearer) {
                #expect($0.status == .ok)
                let failure = try Self.decode(StreamFailureDocument.self, $0)
                #expect(failure.cid == root.description)
                #expect(failure.route == "GET /v1/cat/{cid}")
                #expect(failure.reason.contains("deeper than \(FileDAGWalker.maxDepth) levels"))
            }
            try await client.execute(uri: "/v1/failures/2", method: .get, headers: bearer) {
                #expect($0.status == .notFound)
                #expect(Self.errorCode($0) == "no_failure")
            }
        }
    }

    @Test func aSymbolicLinkTargetIsQuotedEscapedInTheError() async throws {
        let link = try Block(
            codec: .dagPB,
            hashing: PBNode(data: UnixFSData(type: .symlink, data: Array("\u{1B}]0;x\u{07}".utf8)).encoded()).encoded())
        try await withApp { client, repository in
            try repository.store.put(link)
            try await client.execute(uri: "/v1/cat/\(link.cid)", method: .get, headers: bearer) {
                #expect($0.status == .badRequest)
                let message = try Self.decode(ErrorDocument.self, $0).error.message
                #expect(message.contains(#"symbolic link to "\u{1B}]0;x\u{07}""#))
                #expect(!message.unicodeScalars.contains("\u{1B}"))
            }
        }
    }

    @Test func theDaemonRefusesToStartWhenAnotherProcessWritesItsRepository() async throws {
        try await withAsyncTemporaryFolder { folder in
            let data = DataDirectory(path: folder + "/data")
            try data.create()
            let writer = try FileBlockStore(path: data.repositoryPath, mode: .readWrite, create: true)
            let configuration = DaemonConfiguration(
                dataDirectory: data,
                listenAddresses: [.init(ipv4: 0x7f00_0001, port: 0)],
                apiAddress: .init(ipv4: 0x7f00_0001, port: 0)
            )
            do {
                try await Daemon.run(configuration, metrics: nil, logger: .init(label: "test"))
                Issue.record("the daemon started next to another writer")
            } catch let error as DaemonError {
                #expect(error.description.contains("is in use by process \(getpid())"))
                #expect(error.description.contains(data.repositoryPath))
            }
            withExtendedLifetime(writer) {}
        }
    }
}

/// An async sequence of the given buffers.
private struct AsyncStreamOf: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]

    init(_ buffers: [ByteBuffer]) {
        self.buffers = buffers
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
}

/// `POST /v1/add/file`: the daemon reads the file by its path.
extension BlockAPITests {
    /// The JSON lines of an answer.
    private static func lines(_ response: TestResponse) throws -> [AddProgressDocument] {
        try response.body.readableBytesView.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(AddProgressDocument.self, from: Data($0))
        }
    }

    @Test func aFileAddedByPathIsPackedPinnedAndReadsBackAsTheStreamedOne() async throws {
        let file = Self.bytes(3 * 262_144 + 1000, seed: 4)
        let expected = try BalancedDAGBuilder.importBytes(file, profile: .unixfsV0_2015_cidv1, to: MemoryBlockStore())
        try await withAsyncTemporaryFolder { folder in
            let path = folder + "/input.bin"
            try Data(file).write(to: URL(fileURLWithPath: path))
            try await withApp { client, repository in
                try await client.execute(uri: "/v1/add/file?path=\(path)", method: .post, headers: bearer) {
                    #expect($0.status == .ok)
                    let lines = try Self.lines($0)
                    #expect(lines.first?.bytes == 0 && lines.first?.fileSize == UInt64(file.count))
                    let added = try #require(lines.last?.added)
                    #expect(added.cid == expected.root.description)
                    #expect(added.pinned && added.size == UInt64(file.count) && added.blocks == expected.blockCount)
                }
                #expect(try await repository.pins() == [expected.root])
                let stat = try repository.store.stat()
                #expect(stat.blockCount == 5 && stat.referencedBlockCount == 0, "4 leaves packed, 1 node as a block file")
                try FileManager.default.removeItem(atPath: path)  // a copy: the user's file is not needed any more
                try await client.execute(uri: "/v1/cat/\(expected.root)", method: .get, headers: bearer) {
                    #expect($0.status == .ok)
                    #expect(Array($0.body.readableBytesView) == file)
                }
            }
        }
    }

    @Test func aFileAddedWithNocopyStaysWhereItIsAndGoesMissingWhenChanged() async throws {
        let file = Self.bytes(2 * 262_144 + 7, seed: 5)
        let expected = try BalancedDAGBuilder.importBytes(file, profile: .unixfsV0_2015_cidv1, to: MemoryBlockStore())
        try await withAsyncTemporaryFolder { folder in
            let path = folder + "/input.bin"
            try Data(file).write(to: URL(fileURLWithPath: path))
            try await withApp { client, repository in
                try await client.execute(uri: "/v1/add/file?path=\(path)&nocopy=true", method: .post, headers: bearer) {
                    let lines = try Self.lines($0)
                    #expect(lines.last?.added?.cid == expected.root.description)
                }
                let stat = try repository.store.stat()
                #expect(stat.referencedBlockCount == 3 && stat.referencedByteCount == UInt64(file.count))
                #expect(try await repository.missingBlock(under: expected.root) == nil)
                var changed = file
                changed[0] ^= 1
                try Data(changed + [0]).write(to: URL(fileURLWithPath: path))
                #expect(try await repository.missingBlock(under: expected.root) != nil)
            }
        }
    }

    @Test func aPathTheDaemonCannotAddIsRefusedBeforeTheAnswerStarts() async throws {
        try await withAsyncTemporaryFolder { folder in
            try await withApp { client, _ in
                let cases: [(String, HTTPResponse.Status, String)] = [
                    ("relative/file", .badRequest, "bad_request"),
                    (folder + "/missing", .forbidden, "cannot_read"),
                    (folder, .badRequest, "not_a_file"),
                ]
                for (path, status, code) in cases {
                    try await client.execute(uri: "/v1/add/file?path=\(path)", method: .post, headers: bearer) {
                        #expect($0.status == status, "\(path)")
                        #expect(Self.errorCode($0) == code, "\(path)")
                    }
                }
            }
        }
    }
}
