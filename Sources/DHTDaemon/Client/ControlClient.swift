import AsyncHTTPClient
import Blocks
import Foundation
import Kademlia
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A client of a running daemon's control API, found through its data directory: `api.json` says where the API
/// listens, `api-token` holds the bearer token.
///
/// Every call turns the ways it can fail into a ``ControlClientError`` with a line for the user: no daemon, a
/// stale `api.json` (its PID has exited), a daemon that does not answer, a refused token, or an error answer.
///
/// The client owns an `HTTPClient` that does not retry a refused connection (a daemon that is not there is
/// reported at once rather than at the request's deadline); call ``close()`` when done.
public struct ControlClient: Sendable {
    /// The data directory.
    public let dataDirectory: DataDirectory
    /// What `api.json` says.
    public let endpoint: APIEndpoint
    private let token: APIToken
    let httpClient: HTTPClient
    let timeout: TimeAmount

    /// An `HTTPClient` for the control API: connections are not retried, and the connect timeout is short (the
    /// API is local).
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// A client for the daemon of `dataDirectory`.
    ///
    /// - Throws: ``ControlClientError`` ``ControlClientError/Code/noDaemon`` when there is no `api.json`,
    ///   ``ControlClientError/Code/staleEndpoint`` when its PID has exited, ``ControlClientError/Code/unauthorized``
    ///   when the token file cannot be read.
    ///
    /// - Parameters:
    ///   - httpClient: the client to send requests with (default: a new ``makeHTTPClient()``); ``close()`` shuts
    ///     it down.
    ///   - timeout: the longest a call may take (lookups can take seconds).
    public init(
        dataDirectory: DataDirectory,
        httpClient: HTTPClient? = nil,
        timeout: TimeAmount = .seconds(60)
    ) throws(ControlClientError) {
        self.dataDirectory = dataDirectory
        self.timeout = timeout
        let notRunning =
            "no dhtnode daemon is running for data dir \(dataDirectory.path) (start one with `dhtnode run`)"
        do {
            self.endpoint = try APIEndpoint.load(from: dataDirectory.apiEndpointPath)
        } catch  where error.code == .missing {
            throw ControlClientError(.noDaemon, notRunning)
        } catch {
            throw ControlClientError(.badResponse, "\(error.description) (is a dhtnode daemon running?)")
        }
        guard Self.processIsAlive(endpoint.pid) else {
            throw ControlClientError(
                .staleEndpoint,
                "no dhtnode daemon is running for data dir \(dataDirectory.path): api.json names PID \(endpoint.pid), "
                    + "which has exited (start one with `dhtnode run`)"
            )
        }
        do {
            self.token = try APIToken.load(from: dataDirectory.apiTokenPath)
        } catch {
            throw ControlClientError(.unauthorized, "cannot read the API token: \(error.description)")
        }
        self.httpClient = httpClient ?? Self.makeHTTPClient()
    }

    /// Shuts the HTTP client down.
    public func close() async {
        try? await httpClient.shutdown()
    }

    /// `GET /v1/id`.
    public func info() async throws(ControlClientError) -> NodeInfoDocument {
        try await call(.GET, "/v1/id")
    }

    /// `GET /v1/peers`.
    public func peers() async throws(ControlClientError) -> PeersDocument {
        try await call(.GET, "/v1/peers")
    }

    /// `GET /v1/stats`.
    public func statistics() async throws(ControlClientError) -> StatisticsDocument {
        try await call(.GET, "/v1/stats")
    }

    /// `GET /v1/closest/{id}`: an iterative FIND_NODE lookup.
    public func findNode(_ target: NodeID) async throws(ControlClientError) -> LookupDocument {
        try await call(.GET, "/v1/closest/\(target.hex)")
    }

    /// `PUT /v1/values/{key}`: stores `value` on the k closest nodes to `key`.
    public func put(
        _ value: [UInt8],
        under key: RecordKey,
        ttlSeconds: Int? = nil
    )
        async throws(ControlClientError) -> PublishDocument
    {
        let query = ttlSeconds.map { "?ttl=\($0)" } ?? ""
        return try await call(.PUT, "/v1/values/\(key.hex)\(query)", body: value)
    }

    /// `GET /v1/values/{key}`.
    public func get(_ key: RecordKey) async throws(ControlClientError) -> ValuesDocument {
        try await call(.GET, "/v1/values/\(key.hex)")
    }

    /// `POST /v1/providers/{key}`: announces the daemon's node as a provider of `key`.
    public func provide(_ key: RecordKey) async throws(ControlClientError) -> PublishDocument {
        try await call(.POST, "/v1/providers/\(key.hex)")
    }

    /// `GET /v1/providers/{key}`.
    public func providers(of key: RecordKey) async throws(ControlClientError) -> ProvidersDocument {
        try await call(.GET, "/v1/providers/\(key.hex)")
    }

    /// `POST /v1/names`: publishes a name.
    public func publishName(_ request: PublishNameRequest) async throws(ControlClientError) -> NamePublishedDocument {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(request))
        } catch {
            throw ControlClientError(.badResponse, status: 0, "cannot encode the request: \(error)")
        }
        return try await call(.POST, "/v1/names", body: body, timeout: .seconds(120))
    }

    /// `GET /v1/names/{name}`: resolves a name.
    public func resolveName(_ name: String) async throws(ControlClientError) -> ResolvedNameDocument {
        let escaped = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        return try await call(.GET, "/v1/names/\(escaped)", timeout: .seconds(120))
    }

    /// Sends a request and decodes its JSON answer.
    ///
    /// - Parameters:
    ///   - plainErrors: report an error answer by its message alone (the repository routes, whose messages are
    ///     the lines `dhtnode` prints when it works on the repository directly).
    ///   - timeout: the deadline (default: the client's).
    func call<Answer: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        body: [UInt8]? = nil,
        plainErrors: Bool = false,
        timeout: TimeAmount? = nil
    ) async throws(ControlClientError) -> Answer {
        var request = makeRequest(method, path)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return try await send(request, plainErrors: plainErrors, timeout: timeout)
    }

    /// A request to `path` with the bearer token.
    func makeRequest(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint.url + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token.text)")
        return request
    }

    /// Sends `request` and decodes its JSON answer; see ``call(_:_:body:plainErrors:timeout:)``.
    func send<Answer: Decodable>(
        _ request: HTTPClientRequest,
        plainErrors: Bool = false,
        timeout: TimeAmount? = nil
    ) async throws(ControlClientError) -> Answer {
        let status: HTTPResponseStatus
        let bytes: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: timeout ?? self.timeout)
            status = response.status
            bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        } catch {
            throw unreachable(error)
        }
        let data = Data(bytes.readableBytesView)
        guard status == .ok else {
            throw failure(status, data, plainErrors: plainErrors)
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw ControlClientError(
                .badResponse,
                status: 200,
                "unexpected answer from \(request.url): \(error)"
            )
        }
    }

    /// The error for an answer with status `status` and body `data` (an ``ErrorDocument``, usually). The message is
    /// printed on a terminal, so what acts on one is escaped in it (``UntrustedText``): it may quote names from a
    /// DAG, and the answer may not be the daemon's.
    func failure(_ status: HTTPResponseStatus, _ data: Data, plainErrors: Bool) -> ControlClientError {
        let detail = (try? JSONDecoder().decode(ErrorDocument.self, from: data)).map { document in
            var document = document
            document.error.message = UntrustedText.controlsEscaped(document.error.message, limit: 4096)
            document.error.code = UntrustedText.escaped(document.error.code, limit: 80)
            return document
        }
        if status == .unauthorized {
            return ControlClientError(
                .unauthorized,
                status: 401,
                apiCode: detail?.error.code,
                "the dhtnode daemon at \(endpoint.url) refused the API token in \(dataDirectory.apiTokenPath) "
                    + "(401 Unauthorized): it is not the running daemon's token"
            )
        }
        if plainErrors, let detail {
            return ControlClientError(
                .refused, status: Int(status.code), apiCode: detail.error.code, detail.error.message)
        }
        let message =
            detail.map { "\($0.error.message) (\($0.error.code))" }
            ?? UntrustedText.escaped(utf8: data, limit: UntrustedText.logLimit)
        return ControlClientError(
            .refused,
            status: Int(status.code),
            apiCode: detail?.error.code,
            "the dhtnode daemon answered \(status.code) \(status.reasonPhrase): \(message)"
        )
    }

    func unreachable(_ error: any Error) -> ControlClientError {
        guard Self.processIsAlive(endpoint.pid) else {
            return ControlClientError(
                .staleEndpoint,
                "no dhtnode daemon is running for data dir \(dataDirectory.path): PID \(endpoint.pid) has exited "
                    + "(start one with `dhtnode run`)"
            )
        }
        return ControlClientError(
            .unreachable,
            "the dhtnode daemon (PID \(endpoint.pid)) for data dir \(dataDirectory.path) does not answer at "
                + "\(endpoint.url): \(error)"
        )
    }

    /// Whether a process with this ID exists (`kill(pid, 0)`; EPERM means it exists under another user).
    static func processIsAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
