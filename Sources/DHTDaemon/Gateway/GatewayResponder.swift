import Blocks
import DHTCrypto
import DHTNode
import Exchange
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The IPFS HTTP gateway (ipfs/specs `http-gateways`: path, trustless and subdomain) over the daemon's repository,
/// fetching what it lacks from peers.
///
/// Read-only and without a token: it answers `GET`, `HEAD` and CORS preflights on `/ipfs/…` and nothing else, so
/// no control route is reachable through it. Requests are parsed and checked by ``GatewayRequest`` (pure) before
/// any block is read; paths are walked by ``ResolvedPath``; CAR bodies by ``CARBlockWalk``.
public struct GatewayResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    /// The repository served.
    public let repository: BlockRepository
    /// The node that fetches what the repository lacks; `nil` to serve the repository alone.
    public let node: Node?
    /// The hosts under which `{cid}.ipfs.{host}` is a subdomain request.
    public let subdomainParents: [String]
    /// Resolves `/ipns/` names; `nil` answers them with 501.
    public let names: NameService?
    /// Blocks served lately.
    let cache = GatewayBlockCache()

    /// A gateway over `repository`, fetching through `node` when it has an exchange, resolving names with `names`.
    public init(
        repository: BlockRepository, node: Node?, names: NameService? = nil, subdomainParents: [String] = ["localhost"]
    ) {
        self.repository = repository
        self.node = node?.exchange == nil ? nil : node
        self.names = names
        self.subdomainParents = subdomainParents
    }

    /// `Cache-Control` of everything under `/ipfs/`: the content of a CID never changes.
    static let immutable = "public, max-age=29030400, immutable"

    public func respond(to request: Request, context: Context) async throws -> Response {
        do {
            return try await answer(request, logger: context.logger)
        } catch let error as GatewayError {
            return Self.failure(error, isHead: request.method == .head)
        } catch let error as CancellationError {
            throw error
        } catch {
            return Self.failure(GatewayError(.internalServerError, "\(error)"), isHead: request.method == .head)
        }
    }

    private func answer(_ request: Request, logger: Logger) async throws -> Response {
        if request.method == .options {
            var headers = Self.corsHeaders
            headers[.accessControlMaxAge] = "86400"
            return Response(status: .noContent, headers: headers)
        }
        let target = request.head.path ?? "/"
        if let location = try Self.uriRedirect(target) { return Self.redirect(to: location) }
        // Behind a reverse proxy the public host and scheme come in X-Forwarded-Host and X-Forwarded-Proto.
        let host = GatewayHost(
            header: request.headers[Self.forwardedHost] ?? request.head.authority, subdomainParents: subdomainParents)
        let scheme = request.headers[Self.forwardedProto] == "https" ? "https" : "http"
        var subdomainRoot: (ContentPath.Namespace, String)?
        if case .subdomain(let namespace, let label, let parent) = host {
            guard label.count <= 63 else { throw GatewayError.badRequest(GatewayHost.labelTooLong(label)) }
            let root = try GatewayRoot(parsing: label)
            let canonical = GatewayHost.label(root)
            if canonical != label {
                // A CIDv0 or another base: send the browser to the one origin of this root.
                return Self.redirect(to: "\(scheme)://\(canonical).\(namespace.rawValue).\(parent)\(target)")
            }
            subdomainRoot = (namespace, label)
        }
        let redirectsToSubdomain = subdomainRoot == nil && host.redirectsToSubdomain(subdomainParents: subdomainParents)
        if redirectsToSubdomain, let path = try? ContentPath(parsing: GatewayRequest.split(target).path),
            path.root.count > 63, path.root.hasPrefix("b")
        {
            throw GatewayError.badRequest(GatewayHost.labelTooLong(path.root))
        }
        // A name is resolved first: the request goes on as one for the path it points at.
        var name: ResolvedGatewayName?
        if subdomainRoot == nil, GatewayRequest.split(target).path.hasPrefix("/ipns/") {
            switch try await resolveName(target, request) {
            case .record(let response): return response
            case .path(let resolved): name = resolved
            }
        }
        var parsed = try GatewayRequest(
            method: request.method, target: name?.target ?? target, headers: request.headers,
            subdomainRoot: subdomainRoot)
        if let name { parsed.addressedPath = name.addressedPath }
        if redirectsToSubdomain, case .plain(let name, let port) = host {
            let location = try GatewayHost.subdomainURL(
                for: parsed.path, root: parsed.root, parent: name + (port.map { ":\($0)" } ?? ""),
                query: GatewayRequest.split(target).query, scheme: scheme)
            return Self.redirect(to: location)
        }
        let pathGateway: String
        if case .subdomain(_, _, let parent) = host { pathGateway = "//\(parent)" } else { pathGateway = "" }
        var headers = Self.corsHeaders
        headers[.cacheControl] = name?.cacheControl ?? Self.immutable
        headers[Self.ipfsPath] = parsed.addressedPath.encoded
        if !parsed.formatFromQuery, let name = parsed.format.queryName {
            let (path, query) = GatewayRequest.split(target)
            headers[.contentLocation] = "\(path)?\(query.isEmpty ? "" : query + "&")format=\(name)"
        }
        switch parsed.root {
        case .inline(let codec, let bytes, _):
            return try inline(codec: codec, bytes: bytes, parsed, headers: headers)
        case .cid(let root):
            let blocks = GatewayBlocks(
                repository: repository, node: node, onlyIfCached: parsed.onlyIfCached, dagRoot: root, cache: cache)
            if case .unixfs = parsed.format, parsed.path.segments.isEmpty, parsed.range == nil, !parsed.isHead,
                !parsed.onlyIfCached, let node, try await blocks.stored(root) == nil,
                let response = try await streamFromPeers(root, parsed, headers: headers, node: node, logger: logger)
            {
                return response
            }
            let resolved = try await ResolvedPath.resolve(parsed.path, root: try await blocks.block(root), source: blocks)
            headers[Self.ipfsRoots] = (resolved.pathBlocks + [resolved.terminal]).map(\.cid.description)
                .joined(separator: ",")
            switch parsed.format {
            case .raw:
                return raw(resolved.terminal.cid, bytes: resolved.terminal.bytes, parsed, headers: headers)
            case .car(let options):
                return car(resolved, options: options, parsed, headers: headers, blocks: blocks, logger: logger)
            case .unixfs:
                return try await deserialized(
                    resolved, parsed, headers: headers, blocks: blocks, root: root, pathGateway: pathGateway,
                    logger: logger)
            }
        }
    }

    // MARK: Deserialized responses (path gateway)

    private func deserialized(
        _ resolved: ResolvedPath, _ parsed: GatewayRequest, headers: HTTPFields, blocks: GatewayBlocks, root: CID,
        pathGateway: String, logger: Logger
    ) async throws -> Response {
        var headers = headers
        switch resolved.node {
        case .file:
            return try await file(resolved.terminal, name: parsed.filename ?? resolved.name, parsed,
                headers: headers, root: root, logger: logger)
        case .symlink(let target):
            headers[.contentType] = "text/plain; charset=utf-8"
            return Self.conditional(etag: "\"\(resolved.cid)\"", parsed, headers: headers) ?? Self.whole(
                Array(target.utf8), parsed, headers: headers, etag: "\"\(resolved.cid)\"")
        case .directory, .hamtShard:
            guard parsed.path.hasTrailingSlash else {
                // Relative links in the directory's pages resolve against a URL that ends with a slash.
                return Self.redirect(to: directoryURL(parsed))
            }
            var entries: [DirectoryEntry]?
            let index: CID?
            if case .directory(let listed) = resolved.node {
                entries = listed
                index = listed.first(where: { $0.name == "index.html" })?.cid
            } else {
                index = try await HAMTDirectory.lookup("index.html", in: resolved.terminal, source: blocks).entry
            }
            if let index {
                let block = try await blocks.block(index)
                if case .file = try ResolvedPath.decode(block) {
                    // The page stands for its directory: the directory's CID is the ETag.
                    return try await file(
                        block, name: "index.html", parsed, headers: headers, root: root, etag: "\"\(resolved.cid)\"",
                        logger: logger)
                }
            }
            let etag = "\"DirIndex-\(Self.listingVersion)_CID-\(resolved.cid)\""
            if let notModified = Self.conditional(etag: etag, parsed, headers: headers) { return notModified }
            if entries == nil { entries = try await HAMTDirectory.entries(of: resolved.terminal, source: blocks) }
            headers[.contentType] = "text/html; charset=utf-8"
            // The page is this gateway's rendering, which may change with a new version: cached for a week only.
            if parsed.addressedPath.namespace == .ipfs { headers[.cacheControl] = Self.listingCacheControl }
            let page = DirectoryListingPage.html(
                path: parsed.addressedPath, cid: resolved.cid, entries: entries ?? [], base: listingBase(parsed),
                pathGateway: pathGateway)
            return Self.whole(Array(page.utf8), parsed, headers: headers, etag: etag)
        }
    }

    static let listingCacheControl = "public, max-age=604800, stale-while-revalidate=2678400"

    /// Changes whenever the listing page's HTML does, so caches drop pages of an older layout.
    static let listingVersion = "1"

    /// The URL path of a directory with the trailing slash, as the client addressed it (subdomain requests
    /// carry no `/ipfs/{cid}` prefix).
    private func directoryURL(_ parsed: GatewayRequest) -> String {
        var path = parsed.addressedPath
        path.hasTrailingSlash = true
        let query = Self.queryString(parsed)
        return listingBase(parsed, path: path) + query
    }

    private func listingBase(_ parsed: GatewayRequest, path: ContentPath? = nil) -> String {
        let path = path ?? parsed.addressedPath
        var text = path.encoded
        if !text.hasSuffix("/") { text += "/" }
        return parsed.isSubdomain ? String(text.dropFirst("/ipfs/".count + ContentPath.encode(path.root).count)) : text
    }

    private static func queryString(_ parsed: GatewayRequest) -> String {
        parsed.query.isEmpty ? "" : "?" + parsed.query
    }

    /// A whole file none of whose blocks is stored: the fetch starts at once, and the status and headers go out
    /// with its first bytes (its size comes with the root). `nil` when the root is not a file (a directory, a
    /// symbolic link), which the caller then walks block by block.
    private func streamFromPeers(
        _ root: CID, _ parsed: GatewayRequest, headers: HTTPFields, node: Node, logger: Logger
    ) async throws -> Response? {
        var headers = headers
        let etag = "\"\(root)\""
        if let notModified = Self.conditional(etag: etag, parsed, headers: headers) { return notModified }
        let fetch = try await GatewayBlocks.fetching(root) { try await node.cat(root) }
        var iterator = fetch.bytes.makeAsyncIterator()
        let first: ArraySlice<UInt8>?
        do {
            first = try await iterator.next()
        } catch FetchFailure.invalidDAG(let cid, "not a file") where cid == root {
            return nil
        } catch {
            await fetch.cancel()
            _ = try await GatewayBlocks.fetching(root) { () throws -> Void in throw error }
            throw error
        }
        headers[Self.ipfsRoots] = root.description
        headers[.eTag] = etag
        headers[.acceptRanges] = "bytes"
        headers[.contentType] = ContentTypes.type(name: parsed.filename, head: first ?? [])
        if let disposition = Self.disposition(parsed, name: nil) { headers[.contentDisposition] = disposition }
        let size = (await fetch.progress() ?? fetch.statistics)?.fileSize
        if let size { headers[.contentLength] = String(size) }
        let reader = FileBytes(streaming: fetch, iterator)
        return Response(
            status: .ok,
            headers: headers,
            body: reader.body(
                contentLength: size.map { Int($0) }, first: first.map { ByteBuffer(bytes: $0) },
                stream: Self.stream(parsed, logger: logger))
        )
    }

    /// A file, whole or the range asked for, streamed.
    private func file(
        _ block: Block, name: String?, _ parsed: GatewayRequest, headers: HTTPFields, root: CID, etag: String? = nil,
        logger: Logger
    ) async throws -> Response {
        var headers = headers
        let size: UInt64
        do { size = try FileDAGWalker(root: block, range: 0..<0).fileSize } catch {
            throw GatewayError(.badGateway, "\(block.cid) is not a readable file: \(error.description)")
        }
        let etag = etag ?? "\"\(block.cid)\""
        headers[.acceptRanges] = "bytes"
        if let notModified = Self.conditional(etag: etag, parsed, headers: headers) { return notModified }
        headers[.eTag] = etag
        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let requested = parsed.range {
            guard let selected = requested.resolved(size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Self.failure(
                    GatewayError(.rangeNotSatisfiable, "the range is outside the file of \(size) bytes"),
                    isHead: parsed.isHead, headers: headers)
            }
            range = selected
            status = .partialContent
            headers[.contentRange] = "bytes \(selected.lowerBound)-\(selected.upperBound - 1)/\(size)"
        }
        if let disposition = Self.disposition(parsed, name: name) { headers[.contentDisposition] = disposition }
        if let bytes = Self.singleBlockFile(block) {
            // The whole file is in its root block, in hand: no read of the repository, no second hop.
            let slice = bytes[Int(range.lowerBound)..<Int(range.upperBound)]
            headers[.contentType] = ContentTypes.type(name: name, head: bytes.prefix(ContentTypes.sniffLength))
            var response = Self.whole(slice, parsed, headers: headers, etag: etag)
            response.status = status
            return response
        }

        let open = { (range: Range<UInt64>) in
            try await FileBytes.open(
                block.cid, range: range, dagRoot: root, repository: self.repository, node: self.node,
                onlyIfCached: parsed.onlyIfCached)
        }
        // The type comes from the name, else from the file's first bytes, which a whole-file GET reads anyway.
        var first: ByteBuffer?
        var bytes: FileBytes?
        let known = name.map { ContentTypes.type(name: $0, head: []) }
        if let known, known != "application/octet-stream", known != "text/plain; charset=utf-8" || Self.hasExtension(name) {
            headers[.contentType] = known
        } else if range.lowerBound == 0, !parsed.isHead {
            bytes = try await open(range)
            first = try await bytes?.next()
            headers[.contentType] = ContentTypes.type(name: nil, head: first.map { Array($0.readableBytesView) } ?? [])
        } else {
            let head = try await open(0..<min(size, UInt64(ContentTypes.sniffLength)))
            let piece = try await head.next()
            headers[.contentType] = ContentTypes.type(name: nil, head: piece.map { Array($0.readableBytesView) } ?? [])
        }
        headers[.contentLength] = String(range.count)
        if parsed.isHead { return Response(status: status, headers: headers, body: ResponseBody()) }
        let reader: FileBytes
        if let bytes { reader = bytes } else { reader = try await open(range) }
        return Response(
            status: status,
            headers: headers,
            body: reader.body(
                contentLength: Int(range.count), first: first, stream: Self.stream(parsed, logger: logger))
        )
    }

    /// The bytes of a file held entirely in its root block (a raw leaf, or a dag-pb node with its data inline and
    /// no links); `nil` for a file of several blocks.
    static func singleBlockFile(_ block: Block) -> [UInt8]? {
        if block.cid.codec == .raw { return block.bytes }
        guard var walker = try? FileDAGWalker(root: block) else { return nil }
        var bytes: [UInt8] = []
        while true {
            switch walker.next() {
            case .bytes(let piece): bytes += piece
            case .finished: return bytes
            case .need: return nil
            }
        }
    }

    private static func hasExtension(_ name: String?) -> Bool {
        guard let name, let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return ContentTypes.byExtension[name[name.index(after: dot)...].lowercased()] != nil
    }

    /// `Content-Disposition` for `?filename=` and `?download=true`.
    private static func disposition(_ parsed: GatewayRequest, name: String?) -> String? {
        guard parsed.filename != nil || parsed.download else { return nil }
        let kind = parsed.download ? "attachment" : "inline"
        guard let name = parsed.filename ?? name else { return kind }
        return "\(kind); " + filenameParameters(name)
    }

    /// `filename="…"` (ASCII, quotes and backslashes dropped) and, for other names, `filename*=UTF-8''…`.
    static func filenameParameters(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" })
        if ascii == name { return "filename=\"\(ascii)\"" }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    // MARK: Trustless responses

    private func raw(_ cid: CID, bytes: [UInt8], _ parsed: GatewayRequest, headers: HTTPFields) -> Response {
        var headers = headers
        let etag = "\"\(cid).raw\""
        if let notModified = Self.conditional(etag: etag, parsed, headers: headers) { return notModified }
        headers[.contentType] = "application/vnd.ipld.raw"
        headers[.contentDisposition] = "attachment; " + Self.filenameParameters(parsed.filename ?? "\(cid).bin")
        headers[.acceptRanges] = "bytes"
        guard let requested = parsed.range else { return Self.whole(bytes, parsed, headers: headers, etag: etag) }
        let size = UInt64(bytes.count)
        guard let range = requested.resolved(size: size) else {
            headers[.contentRange] = "bytes */\(size)"
            return Self.failure(
                GatewayError(.rangeNotSatisfiable, "the range is outside the block of \(size) bytes"),
                isHead: parsed.isHead, headers: headers)
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        var response = Self.whole(
            Array(bytes[Int(range.lowerBound)..<Int(range.upperBound)]), parsed, headers: headers, etag: etag)
        response.status = .partialContent
        return response
    }

    /// A request for `/ipfs/?uri=ipfs://{cid}/{path}` (what a browser's protocol handler sends): the `Location`
    /// of the content path, or `nil` for any other request.
    static func uriRedirect(_ target: String) throws(GatewayError) -> String? {
        let (path, query) = GatewayRequest.split(target)
        guard path == "/ipfs/" || path == "/ipns/" || path == "/ipfs" || path == "/ipns" else { return nil }
        guard let uri = try QueryParameters(parsing: query)["uri"] else { return nil }
        for scheme in ["ipfs", "ipns"] where uri.lowercased().hasPrefix("\(scheme)://") {
            let rest = uri.dropFirst(scheme.count + 3)
            guard !rest.isEmpty else { break }
            return "/\(scheme)/" + rest.split(separator: "/", omittingEmptySubsequences: false)
                .map { ContentPath.encode(String($0)) }.joined(separator: "/")
        }
        throw GatewayError.badRequest("uri '\(GatewayRoot.shown(uri))' is not ipfs://{cid}[/path] or ipns://{name}[/path]")
    }

    private func car(
        _ resolved: ResolvedPath, options: CAROptions, _ parsed: GatewayRequest, headers: HTTPFields,
        blocks: GatewayBlocks, logger: Logger
    ) -> Response {
        var headers = headers
        let root = resolved.pathBlocks.first?.cid ?? resolved.cid
        let etag = Self.carETag(root: root, path: parsed.path, options: options)
        if let notModified = Self.conditional(etag: etag, parsed, headers: headers) { return notModified }
        headers[.eTag] = etag
        headers[.contentType] = options.contentType
        headers[.contentDisposition] = "attachment; " + Self.filenameParameters(parsed.filename ?? "\(root).car")
        headers[.acceptRanges] = "none"
        if parsed.isHead { return Response(status: .ok, headers: headers, body: ResponseBody()) }
        let stream = Self.stream(parsed, logger: logger)
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                do {
                    try await stream.write(ByteBuffer(bytes: CARStream.header(root: root)), to: &writer)
                    try await CARBlockWalk.walk(resolved, options: options, source: blocks) { block in
                        try await stream.write(ByteBuffer(bytes: CARStream.section(block)), to: &writer)
                    }
                } catch {
                    throw await stream.failed(error)
                }
                try await writer.finish(nil)
            }
        )
    }

    /// The body of an answer to `parsed` whose status goes out first: a failure after it is logged, naming the
    /// route and the request's content path.
    private static func stream(_ parsed: GatewayRequest, logger: Logger) -> StreamedResponse {
        let path = parsed.path
        let route: String
        switch parsed.format {
        case .car: route = "GET /\(path.namespace.rawValue)/{cid}/{path}?format=car"
        default: route = "GET /\(path.namespace.rawValue)/{cid}/{path}"
        }
        let target = "/\(path.namespace.rawValue)/\(path.root)" + path.segments.map { "/" + $0 }.joined()
        return StreamedResponse(route: route, target: target, logger: logger)
    }

    /// A weak ETag for a CAR: the root, the path below it and every option that changes the bytes.
    static func carETag(root: CID, path: ContentPath, options: CAROptions) -> String {
        let variant = path.segments.joined(separator: "/") + "|" + options.variant
        let digest = SHA256.hash(Array(variant.utf8)).bytes.prefix(6).map { String(format: "%02x", $0) }.joined()
        return "W/\"\(root).car.\(digest)\""
    }

    /// An identity CID: its bytes, in whatever format was asked for.
    private func inline(codec: Multicodec, bytes: [UInt8], _ parsed: GatewayRequest, headers: HTTPFields) throws
        -> Response
    {
        var headers = headers
        headers[Self.ipfsRoots] = parsed.root.description
        guard parsed.path.segments.isEmpty else {
            throw GatewayError.notFound("\(parsed.root) is an identity CID: there is no path below it")
        }
        let etag = "\"\(parsed.root)\""
        switch parsed.format {
        case .raw:
            headers[.contentType] = "application/vnd.ipld.raw"
            return Self.conditional(etag: "\"\(parsed.root).raw\"", parsed, headers: headers)
                ?? Self.whole(bytes, parsed, headers: headers, etag: "\"\(parsed.root).raw\"")
        case .car(let options):
            headers[.contentType] = options.contentType
            // Identity blocks never go into a CAR (trustless gateway spec): the header alone names the root.
            return Self.whole(CARStream.header(rootBytes: parsed.root.cidBytes), parsed, headers: headers,
                etag: "W/\"\(parsed.root).car\"")
        case .unixfs:
            guard codec == .raw else {
                throw GatewayError.notImplemented("dag-pb identity CIDs are served as ?format=raw or car only")
            }
            headers[.contentType] = ContentTypes.type(name: parsed.filename, head: bytes)
            return Self.conditional(etag: etag, parsed, headers: headers)
                ?? Self.whole(bytes, parsed, headers: headers, etag: etag)
        }
    }

    // MARK: Shared answers

    static let ipfsPath = HTTPField.Name("X-Ipfs-Path")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let ipfsRoots = HTTPField.Name("X-Ipfs-Roots")!

    /// CORS for the read-only gateway: any page may load content from it.
    static var corsHeaders: HTTPFields {
        [
            .accessControlAllowOrigin: "*",
            .accessControlAllowMethods: "GET, HEAD, OPTIONS",
            .accessControlAllowHeaders: "Content-Type, Range, User-Agent, X-Requested-With, If-None-Match, Cache-Control",
            .accessControlExposeHeaders:
                "Content-Range, Content-Length, X-Ipfs-Path, X-Ipfs-Roots, X-Chunked-Output, X-Stream-Output, Location",
            .xContentTypeOptions: "nosniff",
        ]
    }

    /// 304 when `If-None-Match` names `etag` (weak comparison) or is `*`.
    static func conditional(etag: String, _ parsed: GatewayRequest, headers: HTTPFields) -> Response? {
        let strip = { (tag: String) in tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
        guard parsed.ifNoneMatch.contains(where: { $0 == "*" || strip($0) == strip(etag) }) else { return nil }
        var headers = headers
        headers[.eTag] = etag
        return Response(status: .notModified, headers: headers)
    }

    /// A small body held in memory (a block, a listing, a CAR of one header).
    static func whole(
        _ bytes: some Collection<UInt8>, _ parsed: GatewayRequest, headers: HTTPFields, etag: String
    ) -> Response {
        var headers = headers
        headers[.eTag] = etag
        headers[.contentLength] = String(bytes.count)
        if parsed.isHead { return Response(status: .ok, headers: headers, body: ResponseBody()) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func redirect(to location: String) -> Response {
        var headers = corsHeaders
        headers[.location] = location
        return Response(status: .movedPermanently, headers: headers)
    }

    /// The error's status with its one-line reason as `text/plain`.
    static func failure(_ error: GatewayError, isHead: Bool, headers: HTTPFields = corsHeaders) -> Response {
        var headers = headers
        headers[.cacheControl] = nil
        headers[.eTag] = nil
        let body = Array((error.message + "\n").utf8)
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.contentLength] = String(body.count)
        if isHead { return Response(status: error.status, headers: headers, body: ResponseBody()) }
        return Response(status: error.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension GatewayRequest.Format {
    /// The `format` query value that asks for this format; `nil` for deserialized responses.
    var queryName: String? {
        switch self {
        case .unixfs: nil
        case .raw: "raw"
        case .car: "car"
        }
    }
}
