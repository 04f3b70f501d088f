/// What a fetch knows of a provider before and while it serves: whether it is in the fetcher's own network, its
/// round trip, its rate. The ``FetchPlanner`` ranks the providers it connects to by it (Edgemesh's rule: members
/// in the same network first, then the quickest).
///
/// "Same network" is the shell's judgement (``sameNetwork``); the daemon's is: the provider's address and one of
/// the fetcher's own addresses share their /24 (IPv4) or /48 (IPv6), or both are loopback.
public struct SourceRank: Hashable, Sendable {
    /// In the fetcher's own network.
    public var sameNetwork: Bool
    /// The measured round trip (the DHT's estimate for the contact, or the exchange's); `nil` when unknown.
    public var roundTrip: Duration?
    /// The measured rate in bytes per second; `nil` when unknown.
    public var bytesPerSecond: Double?

    /// What is assumed of a source whose round trip is unknown: 200 ms.
    public static let assumedRoundTrip: Duration = .milliseconds(200)
    /// What is assumed of a source whose rate is unknown: 1 MB/s.
    public static let assumedBytesPerSecond: Double = 1_000_000
    /// The block size the ranking prices: 256 KiB, a full chunk.
    public static let referenceBlockBytes: Double = 262_144

    /// A rank; unknown measurements are assumed as above.
    public init(sameNetwork: Bool = false, roundTrip: Duration? = nil, bytesPerSecond: Double? = nil) {
        self.sameNetwork = sameNetwork
        self.roundTrip = roundTrip
        self.bytesPerSecond = bytesPerSecond
    }

    /// The seconds a reference block would take from this source: one round trip plus the block at its rate.
    public var expectedBlockSeconds: Double {
        let rtt = Double((roundTrip ?? Self.assumedRoundTrip).components.attoseconds) / 1e18
            + Double((roundTrip ?? Self.assumedRoundTrip).components.seconds)
        let rate = bytesPerSecond.flatMap { $0 > 0 ? $0 : nil } ?? Self.assumedBytesPerSecond
        return rtt + Self.referenceBlockBytes / rate
    }

    /// Whether this source goes before `other`: the same network first, then the smaller expected block time.
    public func isBetter(than other: SourceRank) -> Bool {
        if sameNetwork != other.sameNetwork { return sameNetwork }
        return expectedBlockSeconds < other.expectedBlockSeconds
    }
}
