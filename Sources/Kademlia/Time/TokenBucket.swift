/// A token bucket: up to `burst` tokens, refilled at `rate` per second; each admitted event takes one.
///
/// Sans-I/O: `now` is passed in. An infinite rate admits everything.
public struct TokenBucket: Hashable, Sendable {
    /// Tokens added per second.
    public let rate: Double
    /// Most tokens held.
    public let burst: Double
    private var tokens: Double
    private var updatedAt: DHTInstant

    /// A full bucket.
    public init(rate: Double, burst: Double, now: DHTInstant) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updatedAt = now
    }

    /// Takes one token if there is one.
    public mutating func admit(now: DHTInstant) -> Bool {
        if rate.isInfinite { return true }
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket would be full at `now` (its source has been quiet long enough to forget).
    public func isFull(now: DHTInstant) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= burst
    }

    private mutating func refill(now: DHTInstant) {
        guard now > updatedAt else { return }
        let elapsed = Double((now - updatedAt).nanosecondsClamped) / 1e9
        tokens = min(burst, tokens + elapsed * rate)
        updatedAt = now
    }
}
