#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DHTCrypto
import Kademlia
import NIOCore
import NIOPosix
import Relay
import SecureChannel

/// Opens and accepts authenticated, encrypted TCP connections (docs/PROTOCOL.md, "Secure channel").
///
/// A transport only: it proves both node identities, encrypts frames and closes peers that misbehave or stall;
/// what the frames mean is for the layers above. Each connection's AEAD work runs on its event loop (as TLS does
/// in SwiftNIO): about a millisecond per 2 MiB frame, so give the group one loop per core.
public struct SecureTransport: Sendable {
    /// This node's identity, proven to every peer.
    public let identity: NodeIdentity
    /// The swarm, versions, ciphers and timeouts.
    public let configuration: SecureTransportConfiguration
    private let handshake: HandshakeConfiguration
    private let group: any EventLoopGroup

    /// How much a connection reads at a time: SwiftNIO's adaptive sizes (grown while reads fill the buffer), up to
    /// 1 MiB instead of its default 64 KiB: fewer read system calls and pipeline passes per frame (each read is
    /// decrypted where it lies, whatever frames it cuts). The buffer lives only for one read.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 1 << 20)

    /// `SO_REUSEPORT`, which SwiftNIO names no option for: the listener and a hole punch's dials share the port.
    static let reusePort = NIOBSDSocket.Option(rawValue: SO_REUSEPORT)

    /// A transport for `identity` on `group`.
    public init(
        identity: NodeIdentity,
        configuration: SecureTransportConfiguration = SecureTransportConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.identity = identity
        self.configuration = configuration
        self.handshake = configuration.handshake(identity: identity)
        self.group = group
    }

    /// Connects to `address` and runs the handshake as initiator.
    ///
    /// - Parameter peerKey: when given, a peer that proves another identity is refused
    ///   (``SecureChannel/HandshakeError/unexpectedPeer(_:)``).
    /// - Throws: ``SecureTransportError`` when the handshake fails or times out, or the socket error.
    public func connect(to address: SocketAddress, expecting peerKey: Ed25519PublicKey? = nil) async throws
        -> SecureConnection
    {
        try await open(address, initiator: true, expecting: peerKey, preface: nil)
    }

    /// Connects to `address` from `local` (this node's exchange port, shared with its listener through
    /// `SO_REUSEPORT`), so that the NAT in front of this node maps the connection to the address and port its peers
    /// observe: the dial of a hole punch (docs/PROTOCOL.md, "Hole punching"). When the other side dials too, the two
    /// SYNs make one connection (TCP simultaneous open) on which neither end is a listener, so the caller says which
    /// runs the handshake as initiator.
    public func punch(
        to address: SocketAddress, from local: SocketAddress, initiator: Bool, expecting peerKey: Ed25519PublicKey?,
        timeout: Duration
    ) async throws -> SecureConnection {
        try await open(
            address, initiator: initiator, expecting: peerKey, preface: nil, localAddress: local, timeout: timeout)
    }

    /// Connects to the node `target` through the relay at `relay` (docs/PROTOCOL.md, "Relays"): asks the relay for
    /// a circuit, then runs the handshake as initiator with the node over it. The relay forwards ciphertext only.
    ///
    /// - Throws: ``RelayDialError`` when the relay refuses or fails; otherwise as ``connect(to:expecting:)``.
    public func connect(through relay: SocketAddress, to target: NodeID, expecting peerKey: Ed25519PublicKey? = nil)
        async throws -> SecureConnection
    {
        try await open(relay, initiator: true, expecting: peerKey, preface: .connect(target: target))
    }

    /// Takes the circuit `token` names at the relay at `relay` (this node holds a reservation there and was told
    /// of an incoming connection), and answers the handshake over it as responder.
    public func accept(relayedAt relay: SocketAddress, token: [UInt8]) async throws -> SecureConnection {
        try await open(relay, initiator: false, expecting: nil, preface: .accept(token: token))
    }

    private func open(
        _ address: SocketAddress, initiator: Bool, expecting peerKey: Ed25519PublicKey?, preface: RelayMessage?,
        localAddress: SocketAddress? = nil, timeout: Duration? = nil
    ) async throws -> SecureConnection {
        let (handshake, configuration) = (self.handshake, self.configuration)
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: Self.receiveAllocator)
            .connectTimeout(TimeAmount(timeout ?? configuration.handshakeTimeout))
        if let localAddress {
            bootstrap = bootstrap
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(Self.reusePort), value: 1)
                .bind(to: localAddress)
        }
        let pending = try await bootstrap
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let preface {
                        try channel.pipeline.syncOperations.addHandler(
                            RelayPrefaceHandler(request: preface, timeout: TimeAmount(configuration.handshakeTimeout)))
                    }
                    return try Self.secure(
                        channel,
                        handshake: initiator
                            ? .initiator(configuration: handshake, ephemeralKey: .generate(), expectedPeerKey: peerKey)
                            : .responder(configuration: handshake, ephemeralKey: .generate()),
                        configuration: configuration
                    ).pending
                }
            }
        return try await pending.established()
    }

    /// Listens on `host:port` (port 0 picks a free port) and answers handshakes as responder.
    ///
    /// Connections pass a ``ConnectionAdmission`` first (``SecureTransportConfiguration/listenerLimits``): a
    /// refused one is closed as soon as it is accepted, and a pending one is closed at its deadline or when a newer
    /// one from its source or network displaces it, so silent and slow peers hold a bounded share of the slots.
    ///
    /// With `relay`, a connection that starts with a relay message goes to the relay service instead
    /// (``RelayDemultiplexer``): it leaves the handshake budget and counts as open.
    public func listen(host: String, port: Int, relay: RelayService? = nil) async throws -> SecureListener {
        let (handshake, configuration) = (self.handshake, self.configuration)
        let admission = ConnectionAdmission(limits: configuration.listenerLimits, listener: "exchange")
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A hole punch dials from this port (``punch(to:from:initiator:expecting:timeout:)``).
            .serverChannelOption(.socketOption(Self.reusePort), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: Self.receiveAllocator)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let ticket = admission.admit(channel) else {
                        return PendingSecureConnection(
                            connection: channel.eventLoop.makeFailedFuture(SecureTransportError.tooManyHandshakes)
                        )
                    }
                    let (pending, handler) = try Self.secure(
                        channel,
                        handshake: .responder(configuration: handshake, ephemeralKey: .generate()),
                        configuration: configuration
                    )
                    pending.connection.whenSuccess { _ in admission.established(ticket) }
                    if let relay {
                        let demultiplexer = RelayDemultiplexer(secureHandler: handler) { channel, bytes in
                            admission.established(ticket)
                            relay.adopt(channel, firstBytes: bytes)
                        }
                        try channel.pipeline.syncOperations.addHandler(demultiplexer, position: .first)
                    }
                    return pending
                }
            }
        return try SecureListener(server: server, admission: admission)
    }

    /// Puts the handshake and frame handler on `channel` and wraps it for Swift concurrency; on the loop.
    private static func secure(
        _ channel: any Channel,
        handshake: SecureChannelHandshake,
        configuration: SecureTransportConfiguration
    ) throws -> (pending: PendingSecureConnection, handler: SecureChannelHandler) {
        let established = channel.eventLoop.makePromise(of: SecureChannelPeer.self)
        let handler = SecureChannelHandler(
            handshake: handshake,
            handshakeTimeout: TimeAmount(configuration.handshakeTimeout),
            frameRate: configuration.frameRate,
            payloadSplit: configuration.payloadSplit,
            established: established
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        if let closed = configuration.connectionClosed { channel.closeFuture.whenComplete { _ in closed() } }
        // The handler completes the promise on the loop, and NIO runs this callback right then, so the frame
        // channel is in the pipeline before the first frame is passed on.
        let connection = established.futureResult.flatMapThrowing { peer in
            SecureConnection(
                peer: peer,
                channel: try NIOAsyncChannel<SecureFramePlaintext, SecureFramePlaintext>(
                    wrappingChannelSynchronously: channel)
            )
        }
        return (PendingSecureConnection(connection: connection), handler)
    }
}
