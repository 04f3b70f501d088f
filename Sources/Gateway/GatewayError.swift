import HTTPTypes

/// Why the gateway answers with an error status instead of content: the status the specs ask for and one line
/// that says what was wrong and where, sent as the `text/plain` body.
///
/// | status | when |
/// |---|---|
/// | 400 | a CID, path, query parameter or header that cannot be parsed or is not allowed |
/// | 404 | a name that is not in its directory; a block nobody has (when the repository alone is asked) |
/// | 405 | a method other than `GET` and `HEAD` |
/// | 412 | `Cache-Control: only-if-cached` and the content is not stored |
/// | 416 | a `Range` outside the file |
/// | 501 | a response format or DAG kind that this gateway does not serve (HAMT directories, dag-cbor, TAR) |
/// | 502 | peers sent content that is not what the CID says (a broken DAG) |
/// | 504 | no peer delivered the content before the fetch timed out |
public struct GatewayError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The one-line reason.
    public var message: String

    /// An error with `status` and `message`.
    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// 400: something in the request cannot be parsed or is not allowed.
    public static func badRequest(_ message: String) -> GatewayError { GatewayError(.badRequest, message) }
    /// 404: the named content does not exist.
    public static func notFound(_ message: String) -> GatewayError { GatewayError(.notFound, message) }
    /// 501: a response this gateway does not produce.
    public static func notImplemented(_ message: String) -> GatewayError { GatewayError(.notImplemented, message) }

    public var description: String { "\(status.code) \(status.reasonPhrase): \(message)" }
}
