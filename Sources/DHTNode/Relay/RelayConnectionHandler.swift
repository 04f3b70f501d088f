import NIOCore
import Relay

/// Reads relay messages on a connection the relay service adopted and passes them to it, until the connection is
/// spliced (``RelaySpliceHandler`` takes its place).
final class RelayConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let service: RelayService
    private let id: RelayConnectionID
    private var reader = RelayMessageReader()
    private var broken = false

    init(service: RelayService, id: RelayConnectionID) {
        self.service = service
        self.id = id
    }

    /// The bytes left after the last whole message (the other end's first bytes, once spliced).
    func takeRemainder() -> [UInt8] { reader.takeRemainder() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        read(unwrapInboundIn(data), context: context)
    }

    func read(_ buffer: ByteBuffer, context: ChannelHandlerContext?) {
        guard !broken else { return }
        do {
            var message = try reader.read(buffer.readableBytesView)
            while let next = message {
                service.received(next, on: id)
                // A splice removes this handler: what follows is the circuit's, not messages.
                if spliced { return }
                message = try reader.next()
            }
        } catch {
            broken = true
            service.malformed(id, error)
        }
    }

    /// Set once the connection is spliced: messages are no longer read.
    var spliced = false
}
