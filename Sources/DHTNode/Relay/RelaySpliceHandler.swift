import NIOCore
import Relay

/// One end of a spliced circuit at the relay: copies what it reads to the other end as it is (ciphertext of the
/// two nodes' secure channel) and reports the count to the relay service. Reading stops while the other end's
/// socket is not writable (its peer reads slower than this one sends) and while the service pauses the circuit
/// (the relay's total bandwidth cap), so the relay holds about one read per direction.
final class RelaySpliceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let partner: any Channel
    private let circuit: RelayCircuitID
    private let service: RelayService
    private var pausedUntil: NIODeadline?

    init(partner: any Channel, circuit: RelayCircuitID, service: RelayService) {
        self.partner = partner
        self.circuit = circuit
        self.service = service
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let count = buffer.readableBytes
        partner.writeAndFlush(buffer, promise: nil)
        service.forwarded(circuit, bytes: count)
        if !partner.isWritable { context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in } }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // This end drained: the other end may read again (unless the service paused it).
        if context.channel.isWritable { partner.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    /// Replaces the message handlers of both connections by splice handlers, each on its own loop; bytes read
    /// after the last message go across first.
    static func splice(_ first: any Channel, _ second: any Channel, circuit: RelayCircuitID, service: RelayService) {
        install(on: first, partner: second, circuit: circuit, service: service)
        install(on: second, partner: first, circuit: circuit, service: service)
    }

    private static func install(on channel: any Channel, partner: any Channel, circuit: RelayCircuitID, service: RelayService) {
        let work = {
            let pipeline = channel.pipeline.syncOperations
            guard let reader = try? pipeline.handler(type: RelayConnectionHandler.self) else { return }
            reader.spliced = true
            let remainder = reader.takeRemainder()
            pipeline.removeHandler(reader, promise: nil)
            do {
                try pipeline.addHandler(RelaySpliceHandler(partner: partner, circuit: circuit, service: service))
            } catch {
                channel.close(promise: nil)
                return
            }
            if !remainder.isEmpty {
                partner.writeAndFlush(partner.allocator.buffer(bytes: remainder), promise: nil)
                service.forwarded(circuit, bytes: remainder.count)
            }
        }
        if channel.eventLoop.inEventLoop { work() } else { channel.eventLoop.execute(work) }
    }

    /// Stops reading from `channel` for `delay`.
    static func pause(_ channel: any Channel, for delay: TimeAmount) {
        channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        channel.eventLoop.scheduleTask(in: delay) {
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }
}
