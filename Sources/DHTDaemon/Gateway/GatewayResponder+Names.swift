import DHTNode
import Gateway
import HTTPTypes
import Hummingbird
import Names
import NIOCore

/// A `/ipns/{name}/…` request resolved to the `/ipfs/` path its name points at.
struct ResolvedGatewayName {
    /// The request target to serve: the resolved path, the rest of the request's path, its query.
    var target: String
    /// The path as the client wrote it.
    var addressedPath: ContentPath
    /// `Cache-Control` from the record's TTL: a name may move, so it is never `immutable`.
    var cacheControl: String
}

extension GatewayResponder {
    /// What a `/ipns/` request becomes.
    enum NameAnswer {
        /// `?format=ipns-record`: the record itself.
        case record(Response)
        /// A path to serve as an `/ipfs/` request.
        case path(ResolvedGatewayName)
    }

    /// Most names followed for one request (`/ipns/a` pointing at `/ipns/b` …), as a guard against loops.
    static let maxNameHops = 8

    /// Resolves the name of a `/ipns/{name}[/path]` request (ipfs/specs `http-gateways/path-gateway`,
    /// `ipns/ipns-record`): the record when the request asks for it, else the `/ipfs/` path to serve, with the rest
    /// of the request's path below it.
    ///
    /// - Throws: ``GatewayError``: 400 for a name that is not an IPNS key name (DNSLink names are not resolved) or a
    ///   record asked for below a name; 404 when no node holds a valid record; 504 when no node answered; 501
    ///   when the gateway resolves no names.
    func resolveName(_ target: String, _ request: Request) async throws -> NameAnswer {
        let (pathText, query) = GatewayRequest.split(target)
        let addressed = try ContentPath(parsing: pathText)
        guard let names else { throw GatewayError.notImplemented("this gateway resolves no /ipns/ names") }
        if try GatewayRequest.asksForIPNSRecord(query: query, accept: request.headers[.accept]) {
            guard addressed.segments.isEmpty else {
                throw GatewayError.badRequest("an IPNS record is served for /ipns/{name} only, not for a path below it")
            }
            let resolved = try await Self.resolve(try Self.name(addressed.root), names)
            return .record(Self.recordResponse(resolved, isHead: request.method == .head))
        }
        var segments = addressed.segments
        var root = addressed.root
        var ttl: Duration?
        for _ in 0..<Self.maxNameHops {
            let resolved = try await Self.resolve(try Self.name(root), names)
            ttl = min(ttl ?? resolved.record.ttl, resolved.record.ttl)
            let value = try ContentPath(parsing: resolved.value)
            segments = value.segments + segments
            guard value.namespace == .ipns else {
                let path = ContentPath(
                    namespace: .ipfs, root: value.root, segments: segments,
                    hasTrailingSlash: addressed.hasTrailingSlash)
                return .path(
                    ResolvedGatewayName(
                        target: path.encoded + (query.isEmpty ? "" : "?" + query),
                        addressedPath: addressed,
                        cacheControl: "public, max-age=\(ttl?.components.seconds ?? 0)"
                    ))
            }
            root = value.root
        }
        throw GatewayError(
            .badRequest, "/ipns/\(GatewayRoot.shown(addressed.root)) points at names more than \(Self.maxNameHops) deep")
    }

    private static func name(_ text: String) throws -> IPNSName {
        do {
            return try IPNSName(parsing: text)
        } catch {
            throw GatewayError.badRequest(
                "'\(GatewayRoot.shown(text))' is not an IPNS name (k51…); DNSLink names are not resolved: \(error)")
        }
    }

    private static func resolve(_ name: IPNSName, _ names: NameService) async throws -> ResolvedName {
        do {
            return try await names.resolve(name)
        } catch NodeError.nameNotFound {
            throw GatewayError.notFound("no node holds a valid record of /ipns/\(name)")
        } catch NodeError.noReachableNodes {
            throw GatewayError(.gatewayTimeout, "cannot resolve /ipns/\(name): no node answered")
        } catch let error as NodeError {
            throw GatewayError(.badGateway, "cannot resolve /ipns/\(name): \(error)")
        }
    }

    /// `application/vnd.ipfs.ipns-record`: the record's bytes, to be verified by the client.
    private static func recordResponse(_ resolved: ResolvedName, isHead: Bool) -> Response {
        var headers = corsHeaders
        headers[.contentType] = "application/vnd.ipfs.ipns-record"
        headers[.contentDisposition] = "attachment; filename=\"\(resolved.name).ipns-record\""
        headers[.cacheControl] = "public, max-age=\(resolved.record.ttl.components.seconds)"
        headers[ipfsPath] = "/ipns/\(resolved.name)"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentLength] = "\(resolved.record.bytes.count)"
        let body = isHead ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: resolved.record.bytes))
        return Response(status: .ok, headers: headers, body: body)
    }
}
