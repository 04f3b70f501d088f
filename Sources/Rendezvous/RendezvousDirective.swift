import Blocks
import Kademlia

/// What a ``RendezvousInstance`` asks its shell to do.
public enum RendezvousDirective: Hashable, Sendable {
    /// Store the window's session block and provide its CID in the DHT.
    case provide(SessionWindow)
    /// Look up the providers of the window's session block; report them with
    /// ``RendezvousInstance/providersFound(_:for:now:)``.
    case findProviders(SessionWindow)
    /// Open an exchange connection to this member; report the outcome with ``RendezvousInstance/connected(_:rtt:)``
    /// or ``RendezvousInstance/connectFailed(_:now:)``.
    case connect(Contact)
    /// Call ``RendezvousInstance/tick(now:)`` at this Unix time, in milliseconds.
    case scheduleTick(atUnixMilliseconds: Int64)
}
