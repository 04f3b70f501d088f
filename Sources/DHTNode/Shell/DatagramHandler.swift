import NIOCore

/// Hands each datagram a channel reads to the node's runtime, and flushes the replies once per read batch.
final class DatagramHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let runtime: NodeRuntime

    init(runtime: NodeRuntime) {
        self.runtime = runtime
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        runtime.receive(unwrapInboundIn(data), on: context.channel)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        runtime.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors (port unreachable) surface here on Linux; the core's timeouts handle dead peers.
    }
}

/// The probe socket's handler: the socket only sends `DIAL_PROBE`s, and whatever arrives on it is dropped.
final class ProbeSocketHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors for probes that found nobody: expected, since most probes test whether anything gets in.
    }
}
