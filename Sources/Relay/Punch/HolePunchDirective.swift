import Kademlia

/// What a hole-punch core asks its shell to do.
public enum HolePunchDirective: Hashable, Sendable {
    /// Send the message to the other side over the relayed connection.
    case send(HolePunchMessage)
    /// Open a TCP connection from this node's exchange port to each of `addresses` at once (simultaneous open
    /// when the other side dials too) and run the secure channel over the first that connects, as its initiator
    /// when `channelInitiator`; report the result with ``HolePunch/dialed(succeeded:now:)``.
    case dial([NodeAddress], channelInitiator: Bool)
    /// The punch is over: move the exchange to the direct connection, or keep the relayed one.
    case finished(HolePunchOutcome)
}

/// How a hole punch ended.
public enum HolePunchOutcome: Hashable, Sendable {
    /// A direct connection replaced the relayed one, after this many attempts.
    case direct(attempts: Int)
    /// The connection stays relayed.
    case relayed(HolePunchFailure)
}

/// Why a connection stays relayed.
public enum HolePunchFailure: String, Hashable, Sendable {
    /// The other side named no address to dial.
    case noAddresses
    /// The other side did not answer in time (it may not punch at all).
    case noAnswer
    /// Every attempt's dials failed: one side is behind a NAT that maps each destination apart, or a firewall.
    case dialFailed
}
