import NIOCore
import Relay

/// First on an exchange listener's connections when the node relays: reads the first 10 bytes and either steps
/// aside (a secure-channel handshake: `swiftdht` after the length) or hands the connection to the relay service
/// (`swiftrly`), removing the secure channel's handler. One port thus serves both, and a relay is found at the
/// address its DHT contacts name.
final class RelayDemultiplexer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var buffered: ByteBuffer?
    private let secureHandler: any RemovableChannelHandler
    private let adopt: (any Channel, ByteBuffer) -> Void

    /// - Parameter adopt: takes a relay connection (on its loop) with the bytes read so far.
    init(secureHandler: any RemovableChannelHandler, adopt: @escaping (any Channel, ByteBuffer) -> Void) {
        self.secureHandler = secureHandler
        self.adopt = adopt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var held = buffered.take() {
            held.writeBuffer(&buffer)
            buffer = held
        }
        let prefixLength = 2 + RelayMessage.magic.count
        guard buffer.readableBytes >= prefixLength else {
            buffered = buffer
            return
        }
        let pipeline = context.pipeline.syncOperations
        if RelayMessageReader.startsRelayMessage(buffer.readableBytesView.prefix(prefixLength)) {
            let channel = context.channel
            pipeline.removeHandler(secureHandler, promise: nil)
            pipeline.removeHandler(context: context, promise: nil)
            adopt(channel, buffer)
        } else {
            context.fireChannelRead(wrapInboundOut(buffer))
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
