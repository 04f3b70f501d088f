import HTTPTypes

/// A gateway request, parsed and checked before any block is read: the content path, the response format it asks
/// for, and the headers that shape the answer.
///
/// Parsing is pure (no I/O), so every request a client can send is refused or accepted here, with the status the
/// specs ask for (see ``GatewayError``).
public struct GatewayRequest: Hashable, Sendable {
    /// What the response carries.
    public enum Format: Hashable, Sendable {
        /// Deserialized UnixFS: a file's bytes, a directory's `index.html` or listing (the path gateway).
        case unixfs
        /// The block at the end of the path (`application/vnd.ipld.raw`).
        case raw
        /// A CAR stream (`application/vnd.ipld.car`).
        case car(CAROptions)
    }

    /// `GET` or `HEAD`.
    public var isHead: Bool
    /// The content path (for a name, the `/ipfs/` path it resolved to).
    public var path: ContentPath
    /// The path as the client addressed it: ``path``, or the `/ipns/{name}/…` path it was resolved from. Redirects,
    /// listings and `X-Ipfs-Path` use it.
    public var addressedPath: ContentPath
    /// The path's root.
    public var root: GatewayRoot
    /// The response format.
    public var format: Format
    /// Whether the format came from the `format` query parameter (so no `Content-Location` is needed).
    public var formatFromQuery: Bool
    /// The `Range` header, when it names one range of bytes.
    public var range: ByteRangeRequest?
    /// The entity tags of `If-None-Match` (`*` included as is).
    public var ifNoneMatch: [String]
    /// `Cache-Control: only-if-cached`: answer from the repository or with 412, never from peers.
    public var onlyIfCached: Bool
    /// The `filename` query parameter (for `Content-Disposition`).
    public var filename: String?
    /// `download=true`: `Content-Disposition: attachment`.
    public var download: Bool
    /// The query string as sent (for redirects that keep it).
    public var query: String
    /// Whether the root came from the `Host` (`{cid}.ipfs.localhost`): links and redirects then carry no
    /// `/ipfs/{cid}` prefix.
    public var isSubdomain: Bool

    /// Longest query string accepted.
    public static let maxQueryLength = 2048

    /// Parses a request.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - target: the request target, path and query (`/ipfs/bafy…/a.txt?format=raw`).
    ///   - headers: the request's header fields.
    ///   - subdomainRoot: the root taken from the `Host` of a subdomain request (`{cid}.ipfs.localhost`); the
    ///     whole path of `target` then lies below it.
    /// - Throws: ``GatewayError``: 405 for a method other than GET and HEAD; 400 for a bad path, CID, query
    ///   parameter or header; 404 outside `/ipfs/` and `/ipns/`; 501 for a format or namespace not served.
    public init(
        method: HTTPRequest.Method,
        target: some StringProtocol,
        headers: HTTPFields,
        subdomainRoot: (ContentPath.Namespace, String)? = nil
    ) throws(GatewayError) {
        guard method == .get || method == .head else {
            throw GatewayError(.methodNotAllowed, "the gateway answers GET and HEAD only, not \(method.rawValue)")
        }
        isHead = method == .head
        let (pathText, queryText) = Self.split(target)
        if let (namespace, root) = subdomainRoot {
            let inner = pathText.isEmpty ? "/" : pathText
            path = try ContentPath(parsing: "/\(namespace.rawValue)/\(root)" + inner)
        } else {
            path = try ContentPath(parsing: pathText)
        }
        guard path.namespace == .ipfs else {
            throw .notImplemented("/ipns/ names are resolved before a request is parsed; this one was not")
        }
        addressedPath = path
        do {
            root = try GatewayRoot(parsing: path.root)
        } catch {
            throw GatewayError(error.status, "invalid path \"\(GatewayRoot.shown(pathText))\": \(error.message)")
        }
        query = String(queryText)
        isSubdomain = subdomainRoot != nil
        let query = try QueryParameters(parsing: queryText)

        range = nil
        if let header = headers[.range] { range = try ByteRangeRequest(header: header) }
        ifNoneMatch = headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",").map { String($0.trimmingSpaces) } }
        onlyIfCached = headers[values: .cacheControl].contains { value in
            value.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == "only-if-cached" }
        }
        filename = query["filename"]
        download = query["download"] == "true"

        let accepted = try Self.acceptedFormat(headers[.accept])
        if let name = query["format"] {
            formatFromQuery = true
            switch name {
            case "raw": format = .raw
            case "car": format = .car(CAROptions())
            case "dag-json", "dag-cbor", "json", "cbor":
                throw GatewayError(.notAcceptable, "format=\(name) is not served: UnixFS content is served as files, raw blocks or CAR")
            case "ipns-record":
                throw .badRequest("format=ipns-record is served for /ipns/{name} only, not for /ipfs/ content")
            case "tar":
                throw .notImplemented("format=\(name) is not served by this gateway (raw and car are)")
            default: throw .badRequest("format '\(GatewayRoot.shown(name))' is not raw, car or another gateway format")
            }
        } else {
            formatFromQuery = false
            format = accepted?.format ?? .unixfs
        }
        if case .car(var options) = format {
            if let parameters = accepted?.parameters, accepted?.format != .raw { try options.apply(accept: parameters) }
            try options.apply(query: query)
            format = .car(options)
        }
    }

    /// The path and the query of a request target.
    public static func split(_ target: some StringProtocol) -> (path: Substring, query: Substring) {
        // Over UTF-8 bytes: '?' is ASCII, so its index is a valid boundary, and no grapheme breaking is done.
        let text = Substring(target)
        guard let mark = text.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (text, "") }
        return (text[..<mark], text[text.utf8.index(after: mark)...])
    }

    /// Whether a request asks for an IPNS record (`?format=ipns-record`, or `Accept:
    /// application/vnd.ipfs.ipns-record` first among the formats it names).
    public static func asksForIPNSRecord(query: some StringProtocol, accept: String?) throws(GatewayError) -> Bool {
        if let format = try QueryParameters(parsing: query)["format"] { return format == "ipns-record" }
        guard let accept else { return false }
        for range in accept.split(separator: ",") {
            let fields = range.split(separator: ";").map { $0.trimmingSpaces.lowercased() }
            if fields.contains("q=0") { continue }
            switch fields.first {
            case "application/vnd.ipfs.ipns-record": return true
            case "application/vnd.ipld.raw", "application/vnd.ipld.car", "application/x-tar",
                "application/vnd.ipld.dag-json", "application/vnd.ipld.dag-cbor":
                return false
            default: continue
            }
        }
        return false
    }

    /// The first media range in `Accept` that names a format other than a deserialized response, with its
    /// parameters.
    static func acceptedFormat(_ header: String?) throws(GatewayError)
        -> (format: Format, parameters: [String: String])?
    {
        guard let header else { return nil }
        for range in header.split(separator: ",") {
            let fields = range.split(separator: ";").map { $0.trimmingSpaces.lowercased() }
            guard let type = fields.first else { continue }
            var parameters: [String: String] = [:]
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parameters[String(pair[0].trimmingSpaces)] = String(pair[1].trimmingSpaces) }
            }
            if parameters["q"] == "0" { continue }
            switch type {
            case "application/vnd.ipld.raw": return (.raw, parameters)
            case "application/vnd.ipld.car": return (.car(CAROptions()), parameters)
            case "application/vnd.ipld.dag-json", "application/vnd.ipld.dag-cbor":
                throw GatewayError(.notAcceptable, "Accept: \(type) is not served: UnixFS content is served as files, raw blocks or CAR")
            case "application/vnd.ipfs.ipns-record":
                throw .badRequest("Accept: \(type) is served for /ipns/{name} only, not for /ipfs/ content")
            case "application/x-tar":
                throw .notImplemented("Accept: \(type) is not served by this gateway (raw blocks and CAR are)")
            default: continue
            }
        }
        return nil
    }
}

extension CAROptions {
    /// Applies the parameters of an `Accept: application/vnd.ipld.car; …` media range.
    mutating func apply(accept parameters: [String: String]) throws(GatewayError) {
        if let version = parameters["version"], version != "1" {
            throw GatewayError(.badRequest, "CAR version \(version) is not served (version 1 is)")
        }
        if let order = parameters["order"], order != "dfs", order != "unk" {
            throw GatewayError(.badRequest, "CAR order '\(order)' is not served (dfs is)")
        }
        if let dups = parameters["dups"] { duplicates = try Self.flag(dups, name: "dups") }
    }

    /// Applies the CAR query parameters, which take precedence over `Accept`.
    mutating func apply(query: QueryParameters) throws(GatewayError) {
        if let version = query["car-version"], version != "1" {
            throw GatewayError(.badRequest, "car-version \(GatewayRoot.shown(version)) is not served (1 is)")
        }
        if let order = query["car-order"], order != "dfs", order != "unk" {
            throw GatewayError(.badRequest, "car-order '\(GatewayRoot.shown(order))' is not served (dfs is)")
        }
        if let dups = query["car-dups"] { duplicates = try Self.flag(dups, name: "car-dups") }
        if let scope = query["dag-scope"] {
            guard let parsed = Scope(rawValue: scope) else {
                throw GatewayError(.badRequest, "dag-scope '\(GatewayRoot.shown(scope))' is not block, entity or all")
            }
            self.scope = parsed
        }
        if let range = query["entity-bytes"] {
            entityBytes = try EntityBytes(parsing: range)
            if query["dag-scope"] == nil { scope = .entity }
        }
    }

    static func flag(_ text: String, name: String) throws(GatewayError) -> Bool {
        switch text {
        case "y": return true
        case "n": return false
        default: throw GatewayError(.badRequest, "\(name) '\(GatewayRoot.shown(text))' is not y or n")
        }
    }
}
