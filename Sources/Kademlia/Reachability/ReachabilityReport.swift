/// What a node knows of its own reachability (``KademliaInstance/reachabilityReport(now:)``).
public struct ReachabilityReport: Hashable, Sendable {
    /// The decision: `public`, `private`, or `unknown`.
    public var status: ReachabilityStatus
    /// Whether the node runs as a DHT client (private, with ``ReachabilityConfiguration/clientWhenPrivate``).
    public var isClient: Bool
    /// Whether the node checks its reachability at all (``ReachabilityConfiguration/isEnabled``).
    public var isChecking: Bool
    /// The addresses peers saw this node's requests come from, most reporters first. Behind a NAT these are the
    /// NAT's; several ports for one IP are the mark of a NAT that maps each destination apart (symmetric).
    public var observedAddresses: [ObservedAddress]
    /// Of the newest dial-back results, those whose probe arrived.
    public var reached: Int
    /// Of the newest dial-back results, those whose probe went out and did not arrive.
    public var unreached: Int

    /// Creates a report.
    public init(
        status: ReachabilityStatus,
        isClient: Bool = false,
        isChecking: Bool = false,
        observedAddresses: [ObservedAddress] = [],
        reached: Int = 0,
        unreached: Int = 0
    ) {
        self.status = status
        self.isClient = isClient
        self.isChecking = isChecking
        self.observedAddresses = observedAddresses
        self.reached = reached
        self.unreached = unreached
    }
}

/// An address peers reported seeing this node at.
public struct ObservedAddress: Hashable, Sendable {
    /// The address (IP and UDP port) the requests came from, as the peer saw it.
    public var address: NodeAddress
    /// Distinct peers that reported it (counted up to 16).
    public var reporters: Int

    /// Creates an observed address.
    public init(address: NodeAddress, reporters: Int) {
        self.address = address
        self.reporters = reporters
    }
}
