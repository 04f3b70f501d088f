import Kademlia
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

@testable import DHTNode

/// A plain UDP socket on 127.0.0.1 for tests that speak bytes to a node: sends anything, collects what comes back.
final class RawUDPClient: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<[[UInt8]]>

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let received: NIOLockedValueBox<[[UInt8]]>
        init(_ received: NIOLockedValueBox<[[UInt8]]>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            received.withLockedValue { $0.append(bytes) }
        }
    }

    init() async throws {
        let received = NIOLockedValueBox<[[UInt8]]>([])
        self.received = received
        self.channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// This socket's address.
    var address: NodeAddress { NodeAddress(channel.localAddress!)! }

    /// Sends datagrams, flushing once.
    func send(_ datagrams: [[UInt8]], to address: NodeAddress) async throws {
        let envelopes = datagrams.map {
            AddressedEnvelope(remoteAddress: address.socketAddress, data: ByteBuffer(bytes: $0))
        }
        guard let last = envelopes.last else { return }
        for envelope in envelopes.dropLast() { channel.write(envelope, promise: nil) }
        try await channel.writeAndFlush(last).get()
    }

    /// Waits until at least `count` datagrams arrived (or `timeout` passed); returns and clears them.
    func receive(atLeast count: Int, timeout: Duration = .seconds(2)) async throws -> [[UInt8]] {
        let deadline = ContinuousClock.now + timeout
        while received.withLockedValue({ $0.count }) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return received.withLockedValue { value in
            defer { value = [] }
            return value
        }
    }

    func close() async {
        try? await channel.close()
    }
}
