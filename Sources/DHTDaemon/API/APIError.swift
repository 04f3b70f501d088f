import DHTNode
import Foundation
import Hummingbird

/// An error answer of the control API: an HTTP status and an ``ErrorDocument`` body.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The machine-readable code in the body.
    public var code: String
    /// The sentence in the body.
    public var message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// 401: no `Authorization: Bearer` header, or not the token in `api-token`.
    public static let unauthorized = APIError(
        .unauthorized,
        code: "unauthorized",
        message: "missing or wrong bearer token (read it from the data directory's api-token file)"
    )

    /// 400: a path parameter or query item that does not parse.
    public static func badRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "bad_request", message: message)
    }

    /// The answer for a ``NodeError``:
    ///
    /// | NodeError | status | code |
    /// |---|---|---|
    /// | `notRunning` | 503 | `not_running` |
    /// | `tooManyOperations` | 429 | `too_many_operations` |
    /// | `noReachableNodes` | 504 | `no_reachable_nodes` |
    /// | `bootstrapFailed` | 504 | `bootstrap_failed` |
    /// | `valueTooLarge` | 413 | `value_too_large` |
    /// | `contentUnavailable` | 404 | `unavailable` |
    /// | `nameNotFound` | 404 | `name_not_found` |
    /// | `recordTooLarge` | 413 | `record_too_large` |
    /// | `invalidNameRecord` | 400 | `invalid_record` |
    /// | `tooManyNames` | 429 | `too_many_names` |
    /// | `noContentStore`, `invalidSwarmName`, `alreadyStarted`, `noListenAddress`, `bindFailed` | 500 | `internal` |
    public init(_ error: NodeError) {
        switch error {
        case .notRunning:
            self.init(.serviceUnavailable, code: "not_running", message: error.description)
        case .tooManyOperations:
            self.init(.tooManyRequests, code: "too_many_operations", message: error.description)
        case .noReachableNodes:
            self.init(.gatewayTimeout, code: "no_reachable_nodes", message: error.description)
        case .bootstrapFailed:
            self.init(.gatewayTimeout, code: "bootstrap_failed", message: error.description)
        case .valueTooLarge:
            self.init(.contentTooLarge, code: "value_too_large", message: error.description)
        case .contentUnavailable:
            self.init(.notFound, code: "unavailable", message: error.description)
        case .nameNotFound:
            self.init(.notFound, code: "name_not_found", message: error.description)
        case .recordTooLarge:
            self.init(.contentTooLarge, code: "record_too_large", message: error.description)
        case .invalidNameRecord:
            self.init(.badRequest, code: "invalid_record", message: error.description)
        case .tooManyNames:
            self.init(.tooManyRequests, code: "too_many_names", message: error.description)
        case .noContentStore, .invalidSwarmName, .alreadyStarted, .noListenAddress, .bindFailed:
            self.init(.internalServerError, code: "internal", message: error.description)
        }
    }

    /// Runs a node call, turning a ``NodeError`` into its ``APIError``.
    static func fromNode<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as NodeError {
            throw APIError(error)
        }
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The JSON body; a 401 also carries `WWW-Authenticate: Bearer`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(
            ErrorDocument(code: code, message: message),
            from: request,
            context: context
        )
        response.status = status
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] = "Bearer realm=\"dhtnode\""
        }
        return response
    }
}
