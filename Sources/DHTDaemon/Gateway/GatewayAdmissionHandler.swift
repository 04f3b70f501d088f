import DHTNode
import NIOCore
import NIOHTTPTypes

/// Puts each gateway connection through the listener's ``ConnectionAdmission``: a connection counts as pending
/// until its first request head has arrived, so clients that connect and then say nothing, or send their headers
/// a byte at a time, hold a bounded share of sockets and are closed at the budget's deadline; the idle timeout then
/// governs the time between requests.
final class GatewayAdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let admission: ConnectionAdmission
    private var ticket: ConnectionBudget.Ticket?
    private var isPending = true

    init(admission: ConnectionAdmission) {
        self.admission = admission
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Refused connections are being closed; the parts that still arrive are dropped below.
        ticket = admission.admit(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let ticket else { return }
        if isPending, case .head = unwrapInboundIn(data) {
            isPending = false
            admission.established(ticket)
        }
        context.fireChannelRead(data)
    }
}
