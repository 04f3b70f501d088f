import Exchange

/// The HTTP sources of a fetch and when it asks them: trustless gateways that serve blocks and origins that serve
/// the file's bytes (``HTTPSource``), under an ``Exchange/OriginPolicy``. Every byte from them is verified as a
/// peer's.
public struct FetchSources: Sendable {
    /// Trustless gateways, asked for blocks by CID.
    public var trustlessGateways: [HTTPSource]
    /// Origins, asked for the file's raw leaves by `Range`.
    public var origins: [HTTPSource]
    /// When they join the fetch beside peers. Default ``Exchange/OriginPolicy/fallback``.
    public var policy: OriginPolicy
    /// ``Exchange/OriginPolicy/fallback``: how long without a block before they join. Default 2 s.
    public var fallbackDelay: Duration
    /// Every source, gateways first.
    public var all: [HTTPSource] { trustlessGateways + origins }

    /// The URL of each source by its exchange name, to tell its contributions in a fetch's statistics.
    public var urlsByPeer: [ExchangePeer: String] {
        Dictionary(all.map { ($0.peer, $0.baseURL) }, uniquingKeysWith: { first, _ in first })
    }

    /// ``Exchange/OriginPolicy/prefetch`` and ``Exchange/OriginPolicy/headStart``: how long they serve before the
    /// peers' share is looked at. Default 2 s.
    public var prefetchDuration: Duration

    /// Sources and a policy.
    public init(
        trustlessGateways: [HTTPSource] = [],
        origins: [HTTPSource] = [],
        policy: OriginPolicy = .fallback,
        fallbackDelay: Duration = .seconds(2),
        prefetchDuration: Duration = .seconds(2)
    ) {
        self.trustlessGateways = trustlessGateways
        self.origins = origins
        self.policy = policy
        self.fallbackDelay = fallbackDelay
        self.prefetchDuration = prefetchDuration
    }
}
