/// How many connections a listener holds, and how long one may take to prove itself (finish its handshake, or
/// send its first request head) before it is closed.
///
/// Counts are kept per source, per network and in total. A *source* is one IPv4 address or one IPv6 /64 (a host
/// picks any address in its /64, so counting single IPv6 addresses would limit nothing); a *network* is an IPv4
/// /24 or an IPv6 /48 (what one site is given). A connection is *pending* until it proves itself, then
/// *established*.
public struct ConnectionLimits: Hashable, Sendable {
    /// Pending connections from everyone together. Past it a new connection displaces the oldest pending one of
    /// the network that holds the most.
    public var pending: Int
    /// Pending connections from one source. Past it a source's new connection displaces its own oldest pending one.
    public var pendingPerSource: Int
    /// Pending connections from one network. Past it the network's new connection displaces its own oldest one.
    public var pendingPerNetwork: Int
    /// Open connections (pending and established) from everyone together; past it new connections are refused.
    public var connections: Int
    /// Open connections from one source; past it the source's new connections are refused.
    public var connectionsPerSource: Int
    /// Open connections from one network; past it the network's new connections are refused.
    public var connectionsPerNetwork: Int
    /// How long a connection may stay pending when the listener has no other pending connection.
    public var pendingDeadline: Duration
    /// How long a connection may stay pending when the pending slots are all taken: the deadline shrinks in
    /// proportion from ``pendingDeadline`` to this as they fill, so a flood holds each slot for less time.
    public var minimumPendingDeadline: Duration

    /// Limits from explicit values.
    public init(
        pending: Int,
        pendingPerSource: Int,
        pendingPerNetwork: Int,
        connections: Int,
        connectionsPerSource: Int,
        connectionsPerNetwork: Int,
        pendingDeadline: Duration,
        minimumPendingDeadline: Duration
    ) {
        precondition(pending > 0 && pendingPerSource > 0 && pendingPerNetwork > 0, "a listener must admit a connection")
        precondition(connections > 0 && connectionsPerSource > 0 && connectionsPerNetwork > 0, "a listener must admit a connection")
        precondition(minimumPendingDeadline <= pendingDeadline, "the minimum deadline is at most the deadline")
        self.pending = pending
        self.pendingPerSource = pendingPerSource
        self.pendingPerNetwork = pendingPerNetwork
        self.connections = connections
        self.connectionsPerSource = connectionsPerSource
        self.connectionsPerNetwork = connectionsPerNetwork
        self.pendingDeadline = pendingDeadline
        self.minimumPendingDeadline = minimumPendingDeadline
    }

    /// The exchange listener's defaults: 256 handshakes at once, 8 per source and 32 per network; 10 s for a
    /// handshake, down to 2 s when the slots are full. Established peers are limited by the exchange itself; the
    /// listener refuses a source's 65th connection and a network's 257th.
    public static let secureListener = ConnectionLimits(
        pending: 256,
        pendingPerSource: 8,
        pendingPerNetwork: 32,
        connections: 4096,
        connectionsPerSource: 64,
        connectionsPerNetwork: 256,
        pendingDeadline: .seconds(10),
        minimumPendingDeadline: .seconds(2)
    )

    /// The HTTP gateway's defaults: 512 connections waiting for a request head, 128 per source (a benchmark or a
    /// proxy opens many at once) and 256 per network; 2,048 connections in all, 512 per source and 1,024 per
    /// network; 10 s for a request head, down to 2 s when the slots are full.
    public static let gateway = ConnectionLimits(
        pending: 512,
        pendingPerSource: 128,
        pendingPerNetwork: 256,
        connections: 2048,
        connectionsPerSource: 512,
        connectionsPerNetwork: 1024,
        pendingDeadline: .seconds(10),
        minimumPendingDeadline: .seconds(2)
    )
}
