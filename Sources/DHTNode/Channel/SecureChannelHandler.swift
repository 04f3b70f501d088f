import DHTCrypto
import Metrics
import NIOCore
import SecureChannel

/// Runs the secure-channel handshake on a TCP channel, then turns frames into plaintext buffers and back.
///
/// Inbound: bytes from the socket in, one ``SecureChannel/SecureFramePlaintext`` per frame out (only after the
/// handshake), its payload split off where the transport's ``SecureChannel/SecureFrameReader/PayloadSplit`` says.
/// Outbound: one plaintext in (head and payload, sealed piece by piece), one sealed frame out. A peer that fails
/// the handshake, sends a bad frame, or sends a frame slower than its ``SecureChannel/FrameRateRule`` allows is
/// closed after a ``SecureTransportError`` is fired down the pipeline. What a connection can make this side hold is bounded: one handshake message (514 bytes) or one frame
/// (2 MiB plus 84 bytes) plus one read.
final class SecureChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SecureFramePlaintext
    typealias OutboundIn = SecureFramePlaintext
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case idle
        case handshaking
        case established
        case closed
    }

    private var phase = Phase.idle
    private var handshake: SecureChannelHandshake?
    private var sealer: SecureFrameSealer?
    /// Opens frames as their bytes arrive (after the handshake).
    private var reader: SecureFrameReader?
    private let payloadSplit: SecureFrameReader.PayloadSplit?
    private let handshakeTimeout: TimeAmount
    private let frameRate: FrameRateRule
    private let established: EventLoopPromise<SecureChannelPeer>
    private var handshakeTimer: Scheduled<Void>?
    private var frameTimer: Scheduled<Void>?
    /// The frame being received (the reader's count of frames opened when it began) and when its first bytes came.
    private var frameInProgress: (number: UInt64, start: NIODeadline)?

    init(
        handshake: SecureChannelHandshake,
        handshakeTimeout: TimeAmount,
        frameRate: FrameRateRule,
        payloadSplit: SecureFrameReader.PayloadSplit?,
        established: EventLoopPromise<SecureChannelPeer>
    ) {
        self.handshake = handshake
        self.payloadSplit = payloadSplit
        self.handshakeTimeout = handshakeTimeout
        self.frameRate = frameRate
        self.established = established
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if phase != .closed { close(context: context, error: .closedDuringHandshake, closeChannel: false) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if phase != .closed { close(context: context, error: .closedDuringHandshake, closeChannel: false) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch phase {
        case .handshaking:
            guard var machine = handshake.take() else { return }
            let directives = buffer.withUnsafeReadableBytes { machine.receive($0) }
            handshake = machine
            perform(directives, context: context)
        case .established:
            receiveFrames(&buffer, context: context)
        case .idle, .closed:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if phase == .handshaking || phase == .idle {
            phase = .closed
            cancelTimers()
            established.fail(error)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard phase == .established, var frameSealer = sealer else {
            promise?.fail(phase == .closed ? ChannelError.ioOnClosedChannel : SecureTransportError.notEstablished)
            return
        }
        let plaintext = unwrapOutboundIn(data)
        let count = SecureFrame.byteCount(plaintextByteCount: plaintext.byteCount)
        var frame = context.channel.allocator.buffer(capacity: count)
        do {
            try frame.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { output in
                try plaintext.head.withUnsafeBytes { head in
                    try plaintext.payload.withUnsafeBytes { payload in
                        try frameSealer.seal(head: head, payload: payload, into: output)
                    }
                }
            }
        } catch {
            // Too large for one frame: this write fails, the connection stays usable.
            promise?.fail((error as? SecureFrameError).map(SecureTransportError.frame) ?? error)
            return
        }
        sealer = frameSealer
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    // MARK: - Handshake

    private func start(context: ChannelHandlerContext) {
        guard phase == .idle, var machine = handshake.take() else { return }
        phase = .handshaking
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) { [self] in
            handshakeTimer = nil
            if phase == .handshaking { close(context: context, error: .handshakeTimedOut) }
        }
        let directives = machine.start()
        handshake = machine
        perform(directives, context: context)
    }

    private func perform(_ directives: [HandshakeDirective], context: ChannelHandlerContext) {
        for directive in directives where phase == .handshaking {
            switch directive {
            case .send(let bytes):
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .established(let session):
                handshake = nil
                handshakeTimer?.cancel()
                handshakeTimer = nil
                sealer = session.sealer
                reader = SecureFrameReader(opener: session.opener, split: payloadSplit)
                phase = .established
                established.succeed(
                    SecureChannelPeer(
                        publicKey: session.peerKey,
                        version: session.version,
                        cipher: session.cipher,
                        transcriptHash: session.transcriptHash
                    )
                )
                if !session.remainder.isEmpty, phase == .established {
                    var remainder = context.channel.allocator.buffer(bytes: session.remainder)
                    receiveFrames(&remainder, context: context)
                }
            case .failed(let error):
                close(context: context, error: .handshake(error))
            }
        }
    }

    // MARK: - Frames

    /// Feeds a read to the frame reader, which decrypts it where it lies into the frames' plaintexts and passes on
    /// each frame whose tag verified; a bad frame closes the connection. While a frame is incomplete its deadline
    /// timer runs (``SecureChannel/FrameRateRule``).
    private func receiveFrames(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        guard let reader else { return }
        do throws(SecureFrameError) {
            try buffer.withUnsafeReadableBytes { (bytes) throws(SecureFrameError) in
                try reader.read(bytes) { plaintext in
                    guard phase == .established else { return }
                    context.fireChannelRead(wrapInboundOut(plaintext))
                }
            }
        } catch {
            close(context: context, error: .frame(error))
            return
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        guard phase == .established, reader.partialFrameByteCount > 0 else {
            frameInProgress = nil
            return
        }
        if frameInProgress?.number != reader.frameCount { frameInProgress = (reader.frameCount, .now()) }
        if frameTimer == nil { scheduleFrameCheck(context: context) }
    }

    /// Sleeps until the incomplete frame's deadline for the bytes it has now, then closes the connection if the
    /// same frame is still incomplete and overdue (more bytes may have moved the deadline: then it sleeps again).
    private func scheduleFrameCheck(context: ChannelHandlerContext) {
        guard let frame = frameInProgress, let received = reader?.partialFrameByteCount else { return }
        let deadline = frame.start + TimeAmount(frameRate.allowance(received: received))
        frameTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            frameTimer = nil
            guard phase == .established, let reader, reader.partialFrameByteCount > 0,
                let frame = frameInProgress, frame.number == reader.frameCount
            else { return }
            let elapsed = NIODeadline.now() - frame.start
            if frameRate.isOverdue(elapsed: .nanoseconds(elapsed.nanoseconds), received: reader.partialFrameByteCount) {
                close(context: context, error: .frameTooSlow)
            } else {
                scheduleFrameCheck(context: context)
            }
        }
    }

    // MARK: - Closing

    private func close(context: ChannelHandlerContext, error: SecureTransportError, closeChannel: Bool = true) {
        let wasHandshaking = phase == .handshaking || phase == .idle
        let wasEstablished = phase == .established
        phase = .closed
        cancelTimers()
        reader = nil
        handshake = nil
        if wasHandshaking { established.fail(error) }
        if closeChannel {
            // Only closes this side decides are counted: a bad handshake or frame, a deadline, a slow frame.
            Counter(label: "secure_channel_closed_total", dimensions: [("reason", error.reason)]).increment()
            if wasEstablished { context.fireErrorCaught(error) }
            context.close(promise: nil)
        }
    }

    private func cancelTimers() {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        frameTimer?.cancel()
        frameTimer = nil
    }
}
