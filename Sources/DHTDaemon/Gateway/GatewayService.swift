import DHTNode
import Kademlia
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The HTTP gateway's listener as a service of the daemon: a Hummingbird application of its own, apart from the
/// control API, so no control route is reachable through it.
///
/// When the address is the default one (`127.0.0.1:8080`) and cannot be bound (another daemon on the machine
/// holds it), the daemon logs one line and runs without a gateway; an address given with `--gateway` that
/// cannot be bound stops the daemon with an error naming it.
public struct GatewayService: Service {
    let application: Application<GatewayResponder>
    let address: NodeAddress
    let isDefaultAddress: Bool
    let bound: AsyncStream<NodeService.APIAddress?>.Continuation
    let logger: Logger

    /// A gateway answering with `responder` on `address`; `bound` learns the address it listens on, or `nil`.
    /// A connection that sends and receives nothing for this long is closed, so idle browsers and abandoned
    /// keep-alive connections do not hold file descriptors.
    public static let idleTimeout = TimeAmount.seconds(15)

    /// The connections it holds before and after their first request head
    /// (``ConnectionLimits/gateway``; docs/PROTOCOL.md, "Connection budgets").
    public let admission: ConnectionAdmission

    public init(
        responder: GatewayResponder,
        address: NodeAddress,
        isDefaultAddress: Bool,
        bound: AsyncStream<NodeService.APIAddress?>.Continuation,
        limits: ConnectionLimits = .gateway,
        logger: Logger
    ) {
        let admission = ConnectionAdmission(limits: limits, listener: "gateway")
        var logger = logger
        logger[metadataKey: "component"] = "gateway"
        self.application = Application(
            responder: responder,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [GatewayAdmissionHandler(admission: admission)],
                    idleTimeout: Self.idleTimeout
                )
            ),
            configuration: ApplicationConfiguration(
                address: .hostname(address.hostText, port: Int(address.port)),
                serverName: "dhtnode",
                // Room for a burst of connections (a page's images, or a flood the budget is shedding) before the
                // kernel starts dropping SYNs and honest clients wait a second for their retransmit.
                backlog: 1024
            ),
            onServerRunning: { channel in
                bound.yield(NodeService.APIAddress(boundTo: channel))
                bound.finish()
            },
            logger: logger
        )
        self.admission = admission
        self.address = address
        self.isDefaultAddress = isDefaultAddress
        self.bound = bound
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await application.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EADDRNOTAVAIL {
            bound.yield(nil)
            bound.finish()
            let reason = error.errnoCode == EADDRINUSE ? "address already in use" : "address not available"
            guard isDefaultAddress else {
                throw DaemonError("cannot listen for the gateway on TCP \(address): \(reason)")
            }
            logger.notice(
                "gateway off: TCP \(address) is taken (another daemon?); start with --gateway HOST:PORT to serve one")
            try? await gracefulShutdown()
        }
    }
}
