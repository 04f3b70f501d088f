import DHTCrypto
import NIOCore
import NIOPosix
import SecureChannel

/// A TCP client with no secure-channel handler: it speaks the handshake itself (or not at all), so a test can
/// send exactly the bytes a misbehaving peer would.
struct RawTCPPeer {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(to address: SocketAddress) async throws -> RawTCPPeer {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawTCPPeer(channel: channel)
    }

    /// Runs `body` with the connection; it is closed afterwards.
    func run<R: Sendable>(
        _ body: (inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, NIOAsyncChannelOutboundWriter<ByteBuffer>)
            async throws -> R
    ) async throws -> R {
        try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            return try await body(&iterator, outbound)
        }
    }

    /// Completes a real handshake as initiator with a fresh identity and returns the session.
    static func handshake(
        _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        swarmKey: SwarmKey? = nil
    ) async throws -> SecureSession? {
        var machine = SecureChannelHandshake.initiator(
            configuration: HandshakeConfiguration(identity: .generate(), swarmKey: swarmKey),
            ephemeralKey: .generate()
        )
        for case .send(let bytes) in machine.start() { try await outbound.write(ByteBuffer(bytes: bytes)) }
        while let buffer = try await iterator.next() {
            for directive in machine.receive(Array(buffer.readableBytesView)) {
                switch directive {
                case .send(let bytes): try await outbound.write(ByteBuffer(bytes: bytes))
                case .established(let session): return session
                case .failed: return nil
                }
            }
        }
        return nil
    }

    /// Reads until the server closes the connection; returns how long that took.
    static func timeUntilClosed(_ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator)
        async -> Duration
    {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            while try await iterator.next() != nil {}
        } catch {
            // A reset counts as closed too.
        }
        return clock.now - start
    }
}
