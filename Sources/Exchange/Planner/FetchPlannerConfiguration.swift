/// The timings of a ``FetchPlanner``.
public struct FetchPlannerConfiguration: Hashable, Sendable {
    /// How often the providers of the root are looked up again while the fetch runs (it looks once at its start).
    /// Default 5 s.
    public var providerSearchInterval: Duration = .seconds(5)
    /// A fetch that received no block for this long gives up. Default 30 s.
    public var unavailableTimeout: Duration = .seconds(30)
    /// Providers connected at once. Default 8.
    public var maxProviderConnections: Int = 8
    /// Providers heard of while every connection slot is taken that wait for one, ranked (``SourceRank``).
    /// Default 32.
    public var maxWaitingProviders: Int = 32
    /// How many times a provider is connected to again: when its connection closed during the fetch (a relayed
    /// connection that its relay cut at its byte cap goes on through a new one), at once; when a connect failed,
    /// once a later search finds it again.
    public var maxReconnectsPerProvider = 3
    /// When HTTP sources are asked (``OriginPolicy``). Default ``OriginPolicy/fallback``.
    public var originPolicy: OriginPolicy = .fallback
    /// ``OriginPolicy/fallback``: how long without a block before the HTTP sources join. Default 2 s.
    public var fallbackDelay: Duration = .seconds(2)
    /// ``OriginPolicy/prefetch`` and ``OriginPolicy/headStart``: how long the HTTP sources serve before the planner
    /// looks at what peers delivered. Default 2 s.
    public var prefetchDuration: Duration = .seconds(2)
    /// Whether the DHT is asked for providers (a tree's entries are asked of the peers connected already).
    public var searchesProviders: Bool = true

    /// The defaults above.
    public init() {}
}
