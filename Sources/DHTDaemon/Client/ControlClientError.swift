/// Why a ``ControlClient`` call failed. ``description`` is the line the CLI prints.
public struct ControlClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure: a struct around a private enum, so that kinds can be added later.
    public struct Code: Hashable, Sendable {
        private enum Base: Hashable, Sendable {
            case noDaemon
            case staleEndpoint
            case unreachable
            case unauthorized
            case refused
            case badResponse
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The data directory has no `api.json`: no daemon runs for it.
        public static let noDaemon = Code(.noDaemon)
        /// `api.json` names a process that has exited (the daemon was killed before it could remove the file).
        public static let staleEndpoint = Code(.staleEndpoint)
        /// The daemon's process runs but its API does not answer.
        public static let unreachable = Code(.unreachable)
        /// The API answered 401: the token in `api-token` is not the running daemon's.
        public static let unauthorized = Code(.unauthorized)
        /// The API answered with another error status (see ``ControlClientError/status`` and
        /// ``ControlClientError/apiCode``).
        public static let refused = Code(.refused)
        /// The API's answer could not be decoded.
        public static let badResponse = Code(.badResponse)
    }

    /// What went wrong.
    public var code: Code
    /// The HTTP status, when the API answered.
    public var status: Int?
    /// The API's error code (`value_too_large`, `no_reachable_nodes`, …), when it sent one.
    public var apiCode: String?
    /// The line for the user.
    public var description: String

    /// Creates an error.
    public init(_ code: Code, status: Int? = nil, apiCode: String? = nil, _ description: String) {
        self.code = code
        self.status = status
        self.apiCode = apiCode
        self.description = description
    }
}
