import Blocks
import Gateway
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A response whose status and headers went out before its body was read: a file streamed from the repository or
/// from peers, a CAR. Reading the body can still fail (a block missing or corrupt, a DAG deeper than the reader
/// goes, a peer that lies), and then all the server can do is close the connection early, which tells the client
/// nothing. So the reason is logged here, once, as a warning naming the route and what was asked for; the control
/// API also keeps it for its client to ask (``StreamFailures``). A write that fails is the client going away, which
/// is no fault of the content: logged at debug.
///
/// Names in the target and the reason come from DAGs, peers and requests: the target is quoted and escaped, the
/// reason (built from parts escaped already) passes ``UntrustedText/controlsEscaped(_:limit:)`` and goes last on the
/// line, in the message, where it cannot pass for a metadata field.
struct StreamedResponse: Sendable {
    /// The route, as its template: `GET /v1/cat/{cid}`, `GET /ipfs/{cid}/{path}`.
    let route: String
    /// What was asked for: the CID, or the content path of a gateway request.
    let target: String
    let logger: Logger
    /// The stream's ID and where its failure is kept, for the control API.
    let failure: (id: UInt64, failures: StreamFailures)?

    init(route: String, target: String, logger: Logger, failure: (id: UInt64, failures: StreamFailures)? = nil) {
        self.route = route
        self.target = target
        self.logger = logger
        self.failure = failure
    }

    /// `X-Stream-Id`: the ID a control API client gives `GET /v1/failures/{id}` when the body stopped early.
    static let idHeader = HTTPField.Name("X-Stream-Id")!

    /// Writes `piece`, marking a failure as the client's.
    func write(_ piece: ByteBuffer, to writer: inout any ResponseBodyWriter) async throws {
        do {
            try await writer.write(piece)
        } catch {
            throw ClientGone(underlying: error)
        }
    }

    /// Reports `error`, which ended the body, and returns what to rethrow (so the connection closes early).
    func failed(_ error: any Error) async -> any Error {
        if let gone = error as? ClientGone {
            logger.debug("client went away during a streamed answer", metadata: metadata)
            return gone.underlying
        }
        if error is CancellationError {
            logger.debug("streamed answer cancelled", metadata: metadata)
            return error
        }
        let reason = UntrustedText.controlsEscaped(Self.reason(error), limit: 2 * UntrustedText.logLimit)
        logger.warning("streamed answer stopped after its status was sent: \(reason)", metadata: metadata)
        if let failure {
            await failure.failures.record(
                StreamFailureDocument(id: failure.id, route: route, cid: target, reason: reason))
        }
        return error
    }

    private var metadata: Logger.Metadata {
        ["route": .string(route), "target": .string(UntrustedText.quoted(target, limit: UntrustedText.logLimit))]
    }

    /// The one-line reason of an error: the message of an API or gateway error, else its description.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as APIError: error.message
        case let error as GatewayError: error.message
        case DAGReadError.store(_, let inner): inner.description
        default: String(describing: error)
        }
    }

    /// A write to the client failed.
    private struct ClientGone: Error {
        let underlying: any Error
    }
}
