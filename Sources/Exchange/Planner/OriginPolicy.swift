/// When a fetch asks its HTTP sources (trustless gateways, origins) beside peers: the four configurations DCDN
/// compares (its Table 2), as a rule of ``FetchPlanner``.
public enum OriginPolicy: String, Hashable, Sendable, CaseIterable {
    /// HTTP only for what peers do not deliver: the sources join the fetch once it went
    /// ``FetchPlannerConfiguration/fallbackDelay`` without a block, or the first provider search found nobody.
    case fallback
    /// HTTP first, while peers are found and connected: the sources join at once and leave after
    /// ``FetchPlannerConfiguration/prefetchDuration`` if peers delivered blocks by then.
    case prefetch
    /// HTTP from the first moment and peers as they come: the sources join at once and stay until the peers have
    /// delivered more blocks than they have (looked at every ``FetchPlannerConfiguration/prefetchDuration``).
    case headStart = "head-start"
    /// HTTP as one more source throughout: the sources join at once and stay; the exchange weights every source by
    /// its measured rate.
    case mixed
}
