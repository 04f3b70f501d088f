import DHTCrypto
import NIOCore
import SecureChannel

/// Runs the secure-channel handshake on a TCP channel, then turns frames into plaintext buffers and back.
///
/// Inbound: bytes from the socket in, one `ByteBuffer` per frame's plaintext out (only after the handshake).
/// Outbound: one plaintext `ByteBuffer` in, one sealed frame out. A peer that fails the handshake, sends a bad
/// frame, or stalls is closed after a ``SecureTransportError`` is fired down the pipeline. What a connection can
/// make this side hold is bounded: one handshake message (514 bytes) or one frame (2 MiB plus 84 bytes) plus one
/// read.
final class SecureChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
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
    private var opener: SecureFrameOpener?
    private let handshakeTimeout: TimeAmount
    private let frameStallTimeout: TimeAmount
    private let established: EventLoopPromise<SecureChannelPeer>
    private var handshakeTimer: Scheduled<Void>?
    private var stallTimer: Scheduled<Void>?
    /// When the last bytes arrived while a frame was incomplete.
    private var lastProgress = NIODeadline.distantPast
    /// Received bytes that do not make a whole frame yet.
    private var pending: ByteBuffer?

    init(
        handshake: SecureChannelHandshake,
        handshakeTimeout: TimeAmount,
        frameStallTimeout: TimeAmount,
        established: EventLoopPromise<SecureChannelPeer>
    ) {
        self.handshake = handshake
        self.handshakeTimeout = handshakeTimeout
        self.frameStallTimeout = frameStallTimeout
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
        let count = SecureFrame.byteCount(plaintextByteCount: plaintext.readableBytes)
        var frame = context.channel.allocator.buffer(capacity: count)
        do {
            try frame.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { output in
                try plaintext.withUnsafeReadableBytes { try frameSealer.seal($0, into: output) }
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
                opener = session.opener
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

    /// Opens every whole frame in `buffer` (after completing the frame earlier reads started) and passes on their
    /// plaintexts; keeps an incomplete last frame in ``pending``.
    ///
    /// Copies are kept to what a frame split over reads needs: a frame that lies whole in one read is opened from
    /// the read's buffer into its plaintext buffer; a frame split over reads gets a buffer of its full size when its
    /// header is in, collects only its own bytes from each read, and is opened in place there.
    private func receiveFrames(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        if var partial = pending.take() {
            let complete: Bool
            do {
                complete = try collect(into: &partial, from: &buffer, allocator: context.channel.allocator)
            } catch {
                close(context: context, error: .frame(error))
                return
            }
            guard complete else {
                pending = partial
                lastProgress = .now()
                return
            }
            guard let plaintext = openInPlace(&partial, context: context) else { return }
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
        while phase == .established, buffer.readableBytes >= SecureFrame.headerByteCount, var frameOpener = opener {
            let plaintext: ByteBuffer
            do {
                let length = try buffer.withUnsafeReadableBytes { try SecureFrame.ciphertextByteCount(header: $0) }
                let total = SecureFrame.headerByteCount + length
                guard buffer.readableBytes >= total else { break }
                var output = context.channel.allocator.buffer(capacity: length - AEADCipher.tagByteCount)
                try output.writeWithUnsafeMutableBytes(minimumWritableBytes: length - AEADCipher.tagByteCount) { out in
                    try buffer.withUnsafeReadableBytes { frame in
                        try frameOpener.open(frame: UnsafeRawBufferPointer(rebasing: frame[0..<total]), into: out)
                    }
                }
                buffer.moveReaderIndex(forwardBy: total)
                plaintext = output
            } catch {
                close(context: context, error: .frame(error as? SecureFrameError ?? .authenticationFailed))
                return
            }
            opener = frameOpener
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
        guard phase == .established, buffer.readableBytes > 0 else { return }
        var partial = context.channel.allocator.buffer(capacity: SecureFrame.headerByteCount)
        do {
            _ = try collect(into: &partial, from: &buffer, allocator: context.channel.allocator)
        } catch {
            close(context: context, error: .frame(error))
            return
        }
        pending = partial
        lastProgress = .now()
        if stallTimer == nil { scheduleStallCheck(in: frameStallTimeout, context: context) }
    }

    /// Moves the bytes of the frame begun in `partial` from the front of `buffer` (no more than that frame's);
    /// returns whether the frame is complete. Once the header is in, `partial` gets room for the whole frame.
    private func collect(into partial: inout ByteBuffer, from buffer: inout ByteBuffer, allocator: ByteBufferAllocator)
        throws(SecureFrameError) -> Bool
    {
        if partial.readableBytes < SecureFrame.headerByteCount {
            let take = min(SecureFrame.headerByteCount - partial.readableBytes, buffer.readableBytes)
            var piece = buffer.readSlice(length: take)!
            partial.writeBuffer(&piece)
            guard partial.readableBytes == SecureFrame.headerByteCount else { return false }
        }
        let length = try partial.withUnsafeReadableBytes { (header) throws(SecureFrameError) in
            try SecureFrame.ciphertextByteCount(header: header)
        }
        let total = SecureFrame.headerByteCount + length
        if partial.capacity < total {
            var whole = allocator.buffer(capacity: total)
            whole.writeBuffer(&partial)
            partial = whole
        }
        let take = min(total - partial.readableBytes, buffer.readableBytes)
        var piece = buffer.readSlice(length: take)!
        partial.writeBuffer(&piece)
        return partial.readableBytes == total
    }

    /// Opens the one whole frame in `frame` in place and returns its plaintext (a slice of the same storage);
    /// `nil` after closing the connection when it does not open.
    private func openInPlace(_ frame: inout ByteBuffer, context: ChannelHandlerContext) -> ByteBuffer? {
        guard phase == .established, var frameOpener = opener else { return nil }
        do {
            let count = try frame.withUnsafeMutableReadableBytes { (bytes) throws(SecureFrameError) -> Int in
                try frameOpener.open(
                    frame: UnsafeRawBufferPointer(bytes),
                    into: UnsafeMutableRawBufferPointer(rebasing: bytes[SecureFrame.headerByteCount...])
                )
            }
            opener = frameOpener
            return frame.getSlice(at: frame.readerIndex + SecureFrame.headerByteCount, length: count)
        } catch {
            close(context: context, error: .frame(error))
            return nil
        }
    }

    /// Checks after `delay` whether an incomplete frame got no byte for the stall timeout, and closes if so.
    private func scheduleStallCheck(in delay: TimeAmount, context: ChannelHandlerContext) {
        stallTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            stallTimer = nil
            guard phase == .established, let bytes = pending, bytes.readableBytes > 0 else { return }
            let idle = NIODeadline.now() - lastProgress
            if idle >= frameStallTimeout {
                close(context: context, error: .frameStalled)
            } else {
                scheduleStallCheck(in: frameStallTimeout - idle, context: context)
            }
        }
    }

    // MARK: - Closing

    private func close(context: ChannelHandlerContext, error: SecureTransportError, closeChannel: Bool = true) {
        let wasHandshaking = phase == .handshaking || phase == .idle
        let wasEstablished = phase == .established
        phase = .closed
        cancelTimers()
        pending = nil
        handshake = nil
        if wasHandshaking { established.fail(error) }
        if closeChannel {
            if wasEstablished { context.fireErrorCaught(error) }
            context.close(promise: nil)
        }
    }

    private func cancelTimers() {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        stallTimer?.cancel()
        stallTimer = nil
    }
}
