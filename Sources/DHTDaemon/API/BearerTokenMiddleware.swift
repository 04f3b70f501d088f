import Foundation
import Hummingbird

/// Lets a request through only when it carries `Authorization: Bearer <token>` with the daemon's token; answers
/// 401 otherwise. The comparison takes the same time wherever the candidate differs (``APIToken/matches(_:)``).
public struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The token requests must present.
    public let token: APIToken

    /// A middleware that checks for `token`.
    public init(token: APIToken) {
        self.token = token
    }

    /// Checks the header, then hands the request on.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let prefix = "Bearer "
        guard let header = request.headers[.authorization], header.hasPrefix(prefix),
            token.matches(header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces))
        else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }
}
