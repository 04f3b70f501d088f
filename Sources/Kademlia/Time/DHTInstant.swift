/// A point on the caller's monotonic clock, in nanoseconds from an origin the caller picks.
///
/// The Kademlia core never reads a clock: every event carries `now` as a `DHTInstant`. The daemon converts its
/// monotonic clock to this type; the simulator advances a virtual one.
public struct DHTInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the caller's origin.
    public var nanoseconds: Int64

    /// Creates an instant `nanoseconds` after the origin.
    @inlinable public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The origin.
    public static let zero = DHTInstant(nanoseconds: 0)

    /// Earlier instants order first.
    @inlinable public static func < (lhs: DHTInstant, rhs: DHTInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant `duration` later (saturating at the ends of the range).
    @inlinable public static func + (lhs: DHTInstant, rhs: Duration) -> DHTInstant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanosecondsClamped)
        return DHTInstant(nanoseconds: overflow ? (rhs > .zero ? .max : .min) : sum)
    }

    /// The instant `duration` earlier.
    @inlinable public static func - (lhs: DHTInstant, rhs: Duration) -> DHTInstant {
        lhs + (.zero - rhs)
    }

    /// The time from `rhs` to `lhs`.
    @inlinable public static func - (lhs: DHTInstant, rhs: DHTInstant) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    /// A short, human-readable form.
    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// This duration in whole nanoseconds, clamped to the range of `Int64`.
    @inlinable public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// This duration in (fractional) milliseconds.
    @inlinable public var milliseconds: Double {
        Double(nanosecondsClamped) / 1e6
    }
}
