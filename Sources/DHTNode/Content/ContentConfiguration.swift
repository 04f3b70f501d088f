import Exchange

/// What a ``Node`` needs to exchange blocks: a store, and the rules of the exchange and of fetches.
///
/// With a content configuration, the node also listens on TCP, on the same address and port as each UDP socket,
/// for authenticated, encrypted exchange connections (docs/PROTOCOL.md, "Secure channel" and "Block exchange"): a
/// provider record names a node's UDP address, and its exchange listens on the same port.
public struct ContentConfiguration: Sendable {
    /// The blocks the node serves, and where fetched blocks go.
    public var store: any ContentStore
    /// The exchange core's rules (windows, caps, read-ahead).
    public var exchange: ExchangeConfiguration
    /// The secure transport's rules (timeouts, ciphers, swarm key).
    public var transport: SecureTransportConfiguration
    /// A cap on the block bytes sent per second over all connections; `nil` for none.
    public var uploadBytesPerSecond: Int?
    /// How often a running fetch looks up the providers of its root again (it looks once at its start).
    public var providerSearchInterval: Duration
    /// A fetch that received no block for this long ends with ``NodeError/contentUnavailable(_:bytesDelivered:)``.
    public var unavailableTimeout: Duration
    /// Providers a fetch connects to at once, per search.
    public var maxProviderConnections: Int
    /// Bytes of `PADDING` sent to each session member when it becomes one (``ExchangeNode/warmUp(_:byteCount:)``),
    /// so that a later small file from this node reaches it in about one round trip; 0 for none. Default 256 KiB,
    /// once per member connection.
    public var memberWarmUpBytes: Int
    /// Misbehaviour for tests; none by default.
    public var faults: ExchangeNodeFaults
    /// HTTP sources every fetch may draw from besides peers (trustless gateways), and when (``FetchSources``).
    /// Default: none.
    public var httpSources: FetchSources

    /// A configuration with defaults: search every 5 s, give up after 30 s without a block, 8 connections at once,
    /// 256 KiB of warm-up per session member.
    public init(
        store: any ContentStore,
        exchange: ExchangeConfiguration = ExchangeConfiguration(),
        transport: SecureTransportConfiguration = SecureTransportConfiguration(),
        uploadBytesPerSecond: Int? = nil,
        providerSearchInterval: Duration = .seconds(5),
        unavailableTimeout: Duration = .seconds(30),
        maxProviderConnections: Int = 8,
        memberWarmUpBytes: Int = 256 * 1024,
        faults: ExchangeNodeFaults = ExchangeNodeFaults(),
        httpSources: FetchSources = FetchSources()
    ) {
        self.httpSources = httpSources
        self.store = store
        self.exchange = exchange
        self.transport = transport
        self.uploadBytesPerSecond = uploadBytesPerSecond
        self.providerSearchInterval = providerSearchInterval
        self.unavailableTimeout = unavailableTimeout
        self.maxProviderConnections = maxProviderConnections
        self.memberWarmUpBytes = memberWarmUpBytes
        self.faults = faults
    }
}
