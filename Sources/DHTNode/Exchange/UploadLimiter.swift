import Synchronization

/// A token bucket shared by every connection of an ``ExchangeNode``: caps the block bytes the node sends per
/// second (an operator's upload limit, like a torrent client's).
///
/// Each writer asks ``delay(for:now:)`` before it writes a `BLOCK` frame and sleeps that long; the bytes are
/// charged at once, so writers that ask together queue up one behind the other instead of all bursting. The
/// bucket holds at most ``burstBytes`` (a quarter of a second of traffic, at least one largest block), so an idle
/// node does not save up a burst.
final class UploadLimiter: Sendable {
    /// The rate, in bytes per second.
    let bytesPerSecond: Int
    /// The most bytes sent without waiting after an idle time.
    let burstBytes: Int
    private let state: Mutex<(tokens: Double, at: ContinuousClock.Instant)>

    /// A limiter at `bytesPerSecond` (at least 1), full at `now`.
    init(bytesPerSecond: Int, maxBlockBytes: Int, now: ContinuousClock.Instant) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        self.burstBytes = max(maxBlockBytes, self.bytesPerSecond / 4)
        self.state = Mutex((Double(burstBytes), now))
    }

    /// Charges `byteCount` bytes; returns how long the caller must wait before sending them (zero when the bucket
    /// held enough).
    func delay(for byteCount: Int, now: ContinuousClock.Instant) -> Duration {
        state.withLock { state in
            let elapsed = state.at.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            state.tokens = min(Double(burstBytes), state.tokens + max(0, seconds) * Double(bytesPerSecond))
            state.at = now
            state.tokens -= Double(byteCount)
            guard state.tokens < 0 else { return .zero }
            return .nanoseconds(Int64(-state.tokens / Double(bytesPerSecond) * 1e9))
        }
    }
}
