/// A smoothed round-trip-time estimate (Jacobson/Karels, as TCP's RFC 6298) from which request timeouts follow.
///
/// Stored in microseconds in two 32-bit fields so a routing entry stays small.
public struct RTTEstimate: Hashable, Sendable {
    private var smoothedMicros: UInt32 = 0
    private var varianceMicros: UInt32 = 0
    private var samples: UInt32 = 0

    /// An estimate with no samples yet.
    public init() {}

    /// Whether at least one sample was taken.
    public var hasSample: Bool { samples > 0 }

    /// The smoothed RTT, or `nil` before the first sample.
    public var smoothed: Duration? {
        hasSample ? .microseconds(Int64(smoothedMicros)) : nil
    }

    /// Folds in one measured round trip.
    public mutating func add(sample: Duration) {
        let micros = UInt32(clamping: max(1, sample.nanosecondsClamped / 1000))
        if samples == 0 {
            smoothedMicros = micros
            varianceMicros = micros / 2
        } else {
            let difference = smoothedMicros > micros ? smoothedMicros - micros : micros - smoothedMicros
            varianceMicros = UInt32((UInt64(varianceMicros) * 3 + UInt64(difference)) / 4)
            smoothedMicros = UInt32((UInt64(smoothedMicros) * 7 + UInt64(micros)) / 8)
        }
        samples = samples &+ 1 == 0 ? samples : samples + 1
    }

    /// The timeout for a request: smoothed RTT + 4 × variance, clamped to `minimum...maximum`; `initial` before
    /// the first sample.
    public func timeout(initial: Duration, minimum: Duration, maximum: Duration) -> Duration {
        guard hasSample else { return initial }
        let micros = Int64(smoothedMicros) + 4 * Int64(varianceMicros)
        return min(maximum, max(minimum, .microseconds(micros)))
    }
}
