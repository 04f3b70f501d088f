/// The rules of a node's session rendezvous.
public struct RendezvousConfiguration: Hashable, Sendable {
    /// The longest swarm name, in UTF-8 bytes.
    public static let maxSwarmNameBytes = 200

    /// The swarm's name: part of the session block's content, so only nodes with the same name meet.
    public var swarm: String
    /// The window length in seconds (60 by default).
    public var windowSeconds: Int64
    /// How long before a window starts its block is provided already, in seconds (default: a tenth of the window,
    /// at least 1 s): members that look it up just after the boundary find the records in place.
    public var leadSeconds: Int64
    /// The most members a node connects to through the rendezvous.
    public var maxMembers: Int
    /// A lookup runs at a random moment in the first `lookupSpread` of a window (a fraction of it, default 0.2), so
    /// members do not all search at the boundary.
    public var lookupSpread: Double

    /// A configuration for `swarm`.
    public init(
        swarm: String,
        windowSeconds: Int64 = 60,
        leadSeconds: Int64? = nil,
        maxMembers: Int = 8,
        lookupSpread: Double = 0.2
    ) {
        self.swarm = swarm
        self.windowSeconds = max(1, windowSeconds)
        self.leadSeconds = max(1, min(leadSeconds ?? max(1, windowSeconds / 10), max(1, windowSeconds - 1)))
        self.maxMembers = max(1, maxMembers)
        self.lookupSpread = min(max(lookupSpread, 0), 0.9)
    }

    /// Whether the swarm name is usable: 1 to ``maxSwarmNameBytes`` bytes, no control characters.
    public var isValid: Bool {
        let bytes = swarm.utf8
        return !bytes.isEmpty && bytes.count <= Self.maxSwarmNameBytes && !bytes.contains { $0 < 0x20 || $0 == 0x7f }
    }
}
