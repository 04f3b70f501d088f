/// Progress, not presence, for a frame being received: the time a frame may take grows with the bytes that
/// arrived, so a peer that trickles a byte now and then cannot hold a frame's buffer open (a stall timeout alone
/// lets one byte per timeout keep 2 MiB pinned forever).
///
/// A frame that began at `start` and of which `received` bytes arrived is overdue at
/// `start + grace + received / minimumBytesPerSecond`: a peer that sends at the minimum rate or faster never is;
/// a slower one gets the grace and whatever its bytes earn. Pure: the NIO handler asks it for a deadline, sleeps
/// until then, and asks again with what arrived meanwhile.
public struct FrameRateRule: Hashable, Sendable {
    /// Time every frame gets whatever its rate.
    public var grace: Duration
    /// The rate a frame's bytes must keep up on average, once the grace is spent; at least 1.
    public var minimumBytesPerSecond: Int

    /// A rule with this grace and minimum rate (clamped to at least 1 byte per second).
    public init(grace: Duration, minimumBytesPerSecond: Int) {
        self.grace = grace
        self.minimumBytesPerSecond = max(1, minimumBytesPerSecond)
    }

    /// How long after its start a frame with `received` bytes in may stay incomplete.
    public func allowance(received: Int) -> Duration {
        let earned = Duration.nanoseconds(Int64(min(Double(received) / Double(minimumBytesPerSecond) * 1e9, 1e15)))
        return grace + earned
    }

    /// Whether a frame that started `elapsed` ago with `received` bytes in is overdue.
    public func isOverdue(elapsed: Duration, received: Int) -> Bool { elapsed >= allowance(received: received) }
}
