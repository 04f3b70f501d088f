import NIOCore
import Relay

/// The relay step of a connection through a relay, before its secure channel: sends `connect` (the dialing end)
/// or `accept` (the reserved end) as soon as the connection is up, waits for the relay's `circuit` answer, and then
/// steps aside: the handler after it (the secure channel's) only then sees the connection become active, and gets
/// any bytes that came after the answer.
///
/// A refusal, a malformed answer or silence past `timeout` fails the connection with a ``RelayDialError``.
final class RelayPrefaceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: RelayMessage
    private let timeout: TimeAmount
    private var reader = RelayMessageReader()
    private var timer: Scheduled<Void>?
    private var done = false
    /// The caps the relay announced for the circuit, once it answered `ok`.
    private(set) var limits: RelayCircuitLimits?

    init(request: RelayMessage, timeout: TimeAmount) {
        self.request = request
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(context: context, .timedOut)
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: request.encoded())), promise: nil)
        // Held back: the secure channel starts once the circuit is up.
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        let buffer = unwrapInboundIn(data)
        let answer: RelayMessage?
        do {
            answer = try reader.read(buffer.readableBytesView)
        } catch {
            fail(context: context, .malformed(error))
            return
        }
        guard let answer else { return }
        guard case .circuit(let status, let limits) = answer else {
            fail(context: context, .unexpected(answer))
            return
        }
        guard status == .ok else {
            fail(context: context, .refused(status))
            return
        }
        done = true
        self.limits = limits
        timer?.cancel()
        timer = nil
        let remainder = reader.takeRemainder()
        context.fireChannelActive()
        if !remainder.isEmpty { context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: remainder))) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { fail(context: context, .closed, closing: false) }
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, _ error: RelayDialError, closing: Bool = true) {
        guard !done else { return }
        done = true
        timer?.cancel()
        timer = nil
        context.fireErrorCaught(error)
        if closing { context.close(promise: nil) }
    }
}

/// Why a connection through a relay did not come up.
public enum RelayDialError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The relay refused the circuit.
    case refused(RelayStatus)
    /// The relay sent something that is not a relay message.
    case malformed(RelayWireError)
    /// The relay sent another message than `circuit`.
    case unexpected(RelayMessage)
    /// The relay did not answer in time.
    case timedOut
    /// The relay closed the connection before answering.
    case closed

    /// One line.
    public var description: String {
        switch self {
        case .refused(let status): "the relay refused the circuit (\(status))"
        case .malformed(let error): "the relay's answer is malformed: \(error)"
        case .unexpected(let message): "the relay answered with message type \(message.type), not circuit"
        case .timedOut: "the relay did not answer in time"
        case .closed: "the relay closed the connection"
        }
    }
}
