import DHTCrypto
import SecureChannel

/// How a ``SecureTransport`` runs its channels: the swarm, what it speaks, and the deadlines that close a peer
/// which stops halfway or crawls.
public struct SecureTransportConfiguration: Sendable {
    /// The private swarm's key, or `nil` for the open network (docs/PROTOCOL.md, "Secure channel").
    public var swarmKey: SwarmKey?
    /// The frame protocol versions this node speaks (see ``HandshakeConfiguration/versions``).
    public var versions: [UInt8]
    /// The ciphers offered (see ``HandshakeConfiguration/ciphers``); by default those this CPU runs fast.
    public var ciphers: [AEADCipher]
    /// A connection whose handshake has not completed this long after it opened is closed. Default 10 s.
    public var handshakeTimeout: Duration
    /// How fast a frame's bytes must come: a frame still incomplete `grace` plus its bytes' worth at the minimum
    /// rate after it began closes the connection (``SecureTransportError/frameTooSlow``). Default: 10 s of grace,
    /// then 64 KiB/s (a 2 MiB frame may take 42 s; one byte every few seconds is closed after 10 s).
    public var frameRate: FrameRateRule
    /// Called on the channel's event loop whenever one of this transport's connections closes (accepted or
    /// opened, established or not): the daemon uses it to hand the memory a closed connection's buffers held back
    /// to the system. `nil` by default.
    public var connectionClosed: (@Sendable () -> Void)?
    /// How many connections a listener holds while their handshakes run, per source, per network and in all, and
    /// how long a handshake may take under load (``ConnectionLimits/secureListener`` by default). An inbound
    /// handshake ends at the earlier of this deadline and ``handshakeTimeout``.
    public var listenerLimits: ConnectionLimits
    /// Where an inbound frame's payload starts, chosen from its first bytes by the protocol carried (the exchange
    /// splits a `BLOCK` at its block bytes, which are then decrypted straight into the block's array); `nil`
    /// delivers every frame whole as its head. Default `nil`.
    public var payloadSplit: SecureFrameReader.PayloadSplit?

    /// A configuration with the defaults: open network, version 1, 10 s handshakes, frames at 64 KiB/s after
    /// 10 s of grace, the listener limits of ``ConnectionLimits/secureListener``.
    public init(
        swarmKey: SwarmKey? = nil,
        versions: [UInt8] = HandshakeConfiguration.defaultVersions,
        ciphers: [AEADCipher] = AEADCipher.available,
        handshakeTimeout: Duration = .seconds(10),
        frameRate: FrameRateRule = FrameRateRule(grace: .seconds(10), minimumBytesPerSecond: 64 * 1024),
        listenerLimits: ConnectionLimits = .secureListener,
        payloadSplit: SecureFrameReader.PayloadSplit? = nil,
        connectionClosed: (@Sendable () -> Void)? = nil
    ) {
        self.swarmKey = swarmKey
        self.versions = versions
        self.ciphers = ciphers
        self.handshakeTimeout = handshakeTimeout
        self.frameRate = frameRate
        self.listenerLimits = listenerLimits
        self.payloadSplit = payloadSplit
        self.connectionClosed = connectionClosed
    }

    /// The handshake settings for `identity`.
    func handshake(identity: NodeIdentity) -> HandshakeConfiguration {
        HandshakeConfiguration(identity: identity, swarmKey: swarmKey, versions: versions, ciphers: ciphers)
    }
}
