import Blocks
import DHTNode
import Exchange
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The `/v1` routes of the daemon's block repository (docs/PROTOCOL.md, "Local control API"), over a
/// ``BlockRepository``.
///
/// | method and path | what |
/// |---|---|
/// | `POST /v1/add?profile=P&chunk-size=N&pin=B&only-hash=B` | body: the file's bytes, streamed; ``AddDocument`` |
/// | `POST /v1/add/file?path=PATH&profile=P&chunk-size=N&pin=B&nocopy=B` | the daemon reads the file at PATH itself (`BlockController+AddFile.swift`) |
/// | `POST /v1/car?pin=B` | body: a CAR v1 stream, all or nothing; ``CARImportDocument`` |
/// | `GET /v1/cat/{cid}?range=A-B` | the file's bytes (or bytes A up to B), streamed; fetched from peers when a block is missing |
/// | `GET /v1/fetches/{cid}` | what the last fetch of `cid` (by `cat` or `fetch`) took: ``FetchDocument`` |
/// | `GET /v1/failures/{id}` | why the `cat` answer with `X-Stream-Id` `id` stopped after its 200: ``StreamFailureDocument`` |
/// | `POST /v1/fetch/{cid}` | fetch what the repository lacks of a file or a directory tree from peers: ``FetchDocument`` |
/// | `POST /v1/get/{cid}?output=PATH` | the daemon writes the file to PATH itself (`BlockController+Output.swift`) |
/// | `GET /v1/blocks/{cid}?fetch=B` | one block's bytes, verified; with `fetch=true` fetched from peers when missing |
/// | `POST /v1/blocks?codec=C` | body: one block's bytes (raw or dag-pb), stored unpinned: ``BlockDocument`` |
/// | `DELETE /v1/blocks/{cid}` | remove a block (409 `pinned` for a pinned root): ``BlockDocument`` |
/// | `GET /v1/repo/verify` | rehash every block file: ``VerifyDocument`` |
/// | `GET /v1/pins` | ``PinsDocument`` |
/// | `POST /v1/pins/{cid}` | pin a root recursively: ``PinDocument`` |
/// | `DELETE /v1/pins/{cid}` | remove a pin: ``PinDocument``, 404 `not_pinned` when there was none |
/// | `POST /v1/gc` | ``GCDocument`` |
/// | `GET /v1/repo/stat` | ``RepoStatDocument`` |
///
/// Request bodies are read a piece at a time and responses written a piece at a time: nothing holds a whole file.
/// Errors from the repository become ``APIError``s (``APIError/init(repositoryError:)``) whose message is the
/// line `dhtnode` prints when it works on the repository directly.
public struct BlockController<Context: RequestContext>: Sendable {
    /// The repository the routes drive.
    public let repository: BlockRepository
    /// The node that fetches what the repository lacks and announces what it adds; `nil`: the repository alone.
    public let node: Node?
    /// What the last fetches took, for `GET /v1/fetches/{cid}`.
    let recentFetches = RecentFetches()
    /// Why streamed answers stopped after their status went out, for `GET /v1/failures/{id}`.
    private let streamFailures = StreamFailures()
    /// The cache of the repository's unpinned blocks: told to look at the disk again after pins change, `gc` or a
    /// block's removal.
    private let cache: BlockCache?

    /// A controller for `repository`, fetching through and announcing on `node` when it has an exchange; `cache`
    /// is the repository's block cache, when on.
    public init(repository: BlockRepository, node: Node? = nil, cache: BlockCache? = nil) {
        self.repository = repository
        self.node = node?.exchange == nil ? nil : node
        self.cache = cache
    }

    /// Adds the routes to `group` (mounted at `/v1`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("add") { request, _ in try await self.add(request) }
        group.post("add/file") { request, _ in try await self.addFile(request) }
        group.post("car") { request, _ in
            let pin = try Self.flag(request, "pin", default: true)
            let imported = try await Self.calling { try await self.repository.importCAR(request.body, pin: pin) }
            var announcement = Announcement.none
            if let node { announcement = await RootAnnouncer(node: node).announce(imported.roots) }
            return CARImportDocument(imported, announcement: announcement)
        }
        group.get("cat/:cid") { request, context in try await self.cat(request, context) }
        group.post("fetch/:cid") { request, context in try await self.fetch(request, context) }
        group.post("get/:cid") { request, context in try await self.get(request, context) }
        group.get("fetches/:cid") { _, context in
            let root = try Self.cid(context)
            guard let document = await self.recentFetches.last(of: root) else {
                throw APIError(.notFound, code: "no_fetch", message: "no recent fetch of \(root)")
            }
            return document
        }
        group.get("failures/:id") { _, context in
            let text = try context.parameters.require("id")
            guard let id = UInt64(text) else {
                throw APIError.badRequest("stream ID \(UntrustedText.quoted(text, limit: 80)) is not a number")
            }
            guard let failure = await self.streamFailures.failure(of: id) else {
                throw APIError(.notFound, code: "no_failure", message: "no failure is known of stream \(id)")
            }
            return failure
        }
        group.get("blocks/:cid") { request, context in
            let cid = try Self.cid(context)
            if let node, try Self.flag(request, "fetch", default: false),
                try await Self.calling({ try await self.repository.block(cid) }) == nil
            {
                _ = try await Self.fetching(cid) { try await node.fetch(cid) }
            }
            guard let block = try await Self.calling({ try await self.repository.block(cid) }) else {
                throw APIError.notFound(DAGReadError.blockNotFound(cid).description)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: block.bytes))
            )
        }
        group.post("blocks") { request, _ in
            let codec: Multicodec
            switch request.uri.queryParameters.get("codec") ?? "raw" {
            case "raw": codec = .raw
            case "dag-pb": codec = .dagPB
            case let other: throw APIError.badRequest("codec must be raw or dag-pb (got '\(other)')")
            }
            let body = try await request.body.collect(upTo: Block.maxByteCount)
            let bytes = Array(body.readableBytesView)
            if codec == .dagPB {
                do { _ = try PBNode(decoding: bytes) } catch {
                    throw APIError(.badRequest, code: "invalid_block", message: "not a dag-pb block: \(error)")
                }
            }
            let block = try await Self.calling { try Block(codec: codec, hashing: bytes) }
            try await Self.calling { try await self.repository.put(block) }
            return BlockDocument(cid: block.cid.v1.description, size: bytes.count)
        }
        group.delete("blocks/:cid") { _, context in
            let cid = try Self.cid(context)
            let removed = try await Self.calling { try await self.repository.remove(cid) }
            await self.cache?.rescan()
            return BlockDocument(cid: cid.v1.description, removed: removed)
        }
        group.get("repo/verify") { _, _ in
            let report = try await Self.calling { try await self.repository.verify() }
            return VerifyDocument(checkedBlocks: report.checkedCount, corruptFiles: report.corrupt.map(\.description))
        }
        group.get("pins") { _, _ in
            PinsDocument(pins: try await Self.calling { try await self.repository.pins() }.map(\.description))
        }
        group.post("pins/:cid") { _, context in
            let cid = try Self.cid(context)
            try await Self.calling { try await self.repository.pin(cid) }
            await self.cache?.rescan()
            return PinDocument(cid: cid.v1.description)
        }
        group.delete("pins/:cid") { _, context in
            let cid = try Self.cid(context)
            guard try await Self.calling({ try await self.repository.unpin(cid) }) else {
                throw APIError(.notFound, code: "not_pinned", message: "\(cid) is not pinned")
            }
            await self.cache?.rescan()
            return PinDocument(cid: cid.v1.description)
        }
        group.post("gc") { _, _ in
            let report = try await Self.calling { try await self.repository.gc() }
            await self.cache?.rescan()
            return GCDocument(report)
        }
        group.get("repo/stat") { _, _ in
            let (stat, pins) = try await Self.calling { try await self.repository.stat() }
            return RepoStatDocument(path: self.repository.store.path, stat, pins: pins)
        }
    }

    private func add(_ request: Request) async throws -> AddDocument {
        let profile = try Self.profile(request)
        let pin = try Self.flag(request, "pin", default: true)
        let onlyHash = try Self.flag(request, "only-hash", default: false)
        let added = try await Self.calling {
            try await repository.add(request.body, profile: profile, pin: pin, onlyHash: onlyHash)
        }
        var announcement = Announcement.none
        if let node, !onlyHash { announcement = await RootAnnouncer(node: node).announce([added.result.root]) }
        return AddDocument(added.result, profile: profile, pinned: added.pinned, announcement: announcement)
    }

    /// Fetches what the repository lacks of the file or directory tree under `root` from peers; answers at once when
    /// it is complete.
    private func fetch(_ request: Request, _ context: Context) async throws -> FetchDocument {
        let root = try Self.cid(context)
        let sources = Self.httpSources(request)
        guard try await Self.calling({ try await self.repository.missingBlock(under: root) }) != nil else {
            return .local(root.description)
        }
        guard let node else {
            throw APIError.notFound(DAGReadError.blockNotFound(root).description + " (the daemon exchanges no blocks)")
        }
        let defaults = node.configuration.content?.httpSources ?? FetchSources()
        let chosen = try sources.sources(over: defaults)
        let document = FetchDocument(
            cid: root.description, try await Self.fetching(root) { try await node.fetchTree(root, sources: chosen) },
            httpSources: chosen.urlsByPeer)
        await recentFetches.record(document, for: root)
        return document
    }

    /// Runs a fetch step, turning a fetch's failure into an ``APIError``: ``NodeError`` as the node routes map it
    /// (`404 unavailable` when nobody sent a block), a ``FetchFailure`` (not a file, too wide) as
    /// `502 fetch_failed`.
    static func fetching<T>(_ root: CID, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as NodeError {
            throw APIError(error)
        } catch FetchFailure.invalidDAG(let cid, "not a file") where cid == root {
            throw APIError(
                .badRequest,
                code: "not_a_file",
                message: "\(root) is a directory or a symbolic link, not a file (dhtnode get \(root) -o PATH writes it out)"
            )
        } catch let error as FetchFailure {
            throw APIError(.badGateway, code: "fetch_failed", message: "fetch of \(root) failed: \(error)")
        }
    }

    /// The fetch's byte iterator and its first piece (`nil` for an empty range), once it arrived; an error before it
    /// (nobody sends the root within the fetch timeout, not a file) as the API's error, the fetch then recorded.
    func firstBytes(of fetch: ContentFetch) async throws -> (iterator: FetchByteStream.Iterator, first: ArraySlice<UInt8>?) {
        var pieces = fetch.bytes.makeAsyncIterator()
        do {
            let first = try await Self.fetching(fetch.root) { try await pieces.next() }
            return (pieces, first)
        } catch let error as APIError {
            await recentFetches.record(fetch)
            throw error
        }
    }

    /// Streams the file under `root` as peers deliver it (verified, in order). The status goes out with the first
    /// bytes: a root nobody sends within the fetch timeout is a 404 `unavailable`, like a missing local block. The
    /// file's size is not known before its root arrives, so the body is chunked; a fetch that fails later ends it
    /// without the last chunk, so a client cannot take a short body for the file.
    private func catFromPeers(
        _ root: CID, range: (start: UInt64, end: UInt64?, text: String)?, sources: HTTPSourceQuery, node: Node,
        logger: Logger
    ) async throws -> Response {
        let fetchRange = range.map { $0.start..<($0.end ?? .max) }
        let defaults = node.configuration.content?.httpSources ?? FetchSources()
        let fetch = try await node.cat(root, range: fetchRange, sources: try sources.sources(over: defaults))
        // The iterator moves into the body's closure, which runs once, after this function returned: it is never
        // used from two places at once.
        let started = try await firstBytes(of: fetch)
        nonisolated(unsafe) var pieces = started.iterator
        let first = started.first
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        // The root has arrived with the first bytes: the file's size is known, so a client can show progress.
        if let size = (await fetch.progress() ?? fetch.statistics)?.fileSize { headers[Self.fileSizeHeader] = String(size) }
        let stream = await openStream(root, logger: logger)
        headers[StreamedResponse.idHeader] = stream.failure.map { String($0.id) }
        let recentFetches = recentFetches
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                do {
                    if let first { try await stream.write(ByteBuffer(bytes: first), to: &writer) }
                    while let piece = try await pieces.next() {
                        try await stream.write(ByteBuffer(bytes: piece), to: &writer)
                    }
                } catch {
                    // The client went away (Ctrl-C on `dhtnode cat`), or the fetch failed: nobody reads the rest,
                    // so the peers stop sending it.
                    await fetch.cancel()
                    throw await stream.failed(error)
                }
                await recentFetches.record(fetch)
                try await writer.finish(nil)
            }
        )
    }


    /// Streams a file, after checking (before the status goes out) that the root is a stored file and the range
    /// lies inside it. A block that turns out missing or corrupt later ends the response early: the connection is
    /// closed before `Content-Length` bytes were sent, so a client cannot take a short body for the file.
    private func cat(_ request: Request, _ context: Context) async throws -> Response {
        let root = try Self.cid(context)
        let range = try Self.range(request)
        let sources = Self.httpSources(request)
        if let node, try await Self.calling({ try await self.repository.missingBlock(under: root) }) != nil {
            return try await catFromPeers(root, range: range, sources: sources, node: node, logger: context.logger)
        }
        // Served from the repository: what this read took from peers is nothing (`get --stats` asks afterwards).
        await recentFetches.record(.local(root.description), for: root)
        let job = try await Self.calling { () async throws -> FileReadJob in
            switch try await self.repository.node(root) {
            case nil: throw APIError.notFound(DAGReadError.blockNotFound(root).description)
            case .directory, .hamtShard:
                throw APIError(
                    .badRequest,
                    code: "not_a_file",
                    message: "\(root) is a directory (dhtnode get \(root) -o PATH writes it out)"
                )
            case .symlink(let target):
                let shown = UntrustedText.quoted(target, limit: UntrustedText.logLimit)
                throw APIError(
                    .badRequest, code: "not_a_file", message: "\(root) is a symbolic link to \(shown), not a file")
            case .file:
                break
            }
            do {
                return try await self.repository.openFile(root, start: range?.start ?? 0, end: range?.end)
            } catch DAGReadError.rangeOutOfBounds(_, let fileSize) {
                throw APIError(
                    .rangeNotSatisfiable,
                    code: "range_not_satisfiable",
                    message: "range \(range?.text ?? "") is outside the file of \(fileSize) bytes"
                )
            }
        }
        let repository = repository
        let stream = await openStream(root, logger: context.logger)
        var headers: HTTPFields = [.contentType: "application/octet-stream", Self.fileSizeHeader: String(job.fileSize)]
        headers[StreamedResponse.idHeader] = stream.failure.map { String($0.id) }
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody(contentLength: Int(job.range.count)) { writer in
                do {
                    while let piece = try await repository.read(job) {
                        try await stream.write(piece, to: &writer)
                    }
                } catch {
                    throw await stream.failed(error)
                }
                try await writer.finish(nil)
            }
        )
    }

    /// The stream of a `GET /v1/cat/{cid}` answer about to start: its failure, if any, is logged and kept.
    private func openStream(_ root: CID, logger: Logger) async -> StreamedResponse {
        StreamedResponse(
            route: "GET /v1/cat/{cid}", target: root.description, logger: logger,
            failure: (await streamFailures.open(), streamFailures))
    }

    /// `X-File-Size`: the whole file's size in a `GET /v1/cat` answer (`Content-Length` is the range's).
    public static var fileSizeHeader: HTTPFields.Element.Name { HTTPFields.Element.Name("X-File-Size")! }

    /// The CID in path parameter `cid`.
    static func cid(_ context: Context) throws -> CID {
        let text = try context.parameters.require("cid")
        do {
            return try CID(parsing: text)
        } catch {
            throw APIError.badRequest("invalid CID '\(text)': \(error.description)")
        }
    }

    /// The optional `range` query item: `A-B` (bytes A up to, not including, B) or `A-` (from A to the end).
    private static func range(_ request: Request) throws -> (start: UInt64, end: UInt64?, text: String)? {
        guard let text = request.uri.queryParameters.get("range") else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = UInt64(parts[0]), parts[1].isEmpty || UInt64(parts[1]) != nil else {
            throw APIError.badRequest("range '\(text)' is not A-B (bytes A up to, not including, B) or A-")
        }
        let end = parts[1].isEmpty ? nil : UInt64(parts[1])
        if let end, end < start { throw APIError.badRequest("range '\(text)': start \(start) is after end \(end)") }
        return (start, end, text)
    }

    /// The HTTP sources a request names (`trustless-gateway`, `origin`, `origin-policy`).
    static func httpSources(_ request: Request) -> HTTPSourceQuery {
        HTTPSourceQuery(
            trustlessGateways: request.uri.queryParameters.getAll("trustless-gateway").map { String($0) },
            origins: request.uri.queryParameters.getAll("origin").map { String($0) },
            originPolicy: request.uri.queryParameters.get("origin-policy").map { String($0) })
    }

    /// A `true`/`false` query item.
    static func flag(_ request: Request, _ name: String, default value: Bool) throws -> Bool {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        switch text {
        case "true": return true
        case "false": return false
        default: throw APIError.badRequest("\(name) '\(text)' is not true or false")
        }
    }

    /// The `profile` and `chunk-size` query items (defaults: `unixfs-v0-2015`, the profile's chunk size).
    static func profile(_ request: Request) throws -> ImportProfile {
        let name = request.uri.queryParameters.get("profile") ?? "unixfs-v0-2015"
        let base: ImportProfile
        switch name {
        case "unixfs-v0-2015", "unixfs-v0-2015+cidv1": base = .unixfsV0_2015_cidv1
        case "unixfs-v1-2025": base = .unixfsV1_2025
        default: throw APIError.badRequest("profile must be unixfs-v0-2015 or unixfs-v1-2025 (got '\(name)')")
        }
        guard let text = request.uri.queryParameters.get("chunk-size") else { return base }
        guard let size = Int(text) else { throw APIError.badRequest("chunk-size '\(text)' is not a number") }
        do {
            return try base.withChunkSize(size)
        } catch {
            throw APIError.badRequest("chunk-size: \(error.description)")
        }
    }

    /// Runs a repository call, turning its error into an ``APIError``.
    static func calling<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw APIError(repositoryError: error)
        }
    }
}

extension AddDocument: ResponseEncodable {}
extension FetchDocument: ResponseEncodable {}
extension CARImportDocument: ResponseEncodable {}
extension PinsDocument: ResponseEncodable {}
extension PinDocument: ResponseEncodable {}
extension GCDocument: ResponseEncodable {}
extension RepoStatDocument: ResponseEncodable {}
extension BlockDocument: ResponseEncodable {}
extension StreamFailureDocument: ResponseEncodable {}
extension VerifyDocument: ResponseEncodable {}
