/// A point on the shell's monotonic clock, in nanoseconds from an origin the shell picks.
///
/// The exchange core never reads a clock: every event carries `now`. (Its own type rather than Kademlia's
/// `DHTInstant`, because the Exchange module depends on Blocks and DHTCrypto only.)
public struct ExchangeInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the shell's origin.
    public var nanoseconds: Int64

    /// Creates an instant `nanoseconds` after the origin.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The origin.
    public static let zero = ExchangeInstant(nanoseconds: 0)

    /// Earlier instants order first.
    public static func < (lhs: ExchangeInstant, rhs: ExchangeInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The instant `duration` later (saturating).
    public static func + (lhs: ExchangeInstant, rhs: Duration) -> ExchangeInstant {
        let nanos = rhs.clampedNanoseconds
        let (sum, overflow2) = lhs.nanoseconds.addingReportingOverflow(nanos)
        return ExchangeInstant(nanoseconds: overflow2 ? (nanos > 0 ? .max : .min) : sum)
    }

    /// The time from `rhs` to `lhs`.
    public static func - (lhs: ExchangeInstant, rhs: ExchangeInstant) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    /// Seconds from `rhs` to `lhs`, as a `Double` (for rates).
    func seconds(since rhs: ExchangeInstant) -> Double { Double(nanoseconds &- rhs.nanoseconds) / 1e9 }

    /// A short, human-readable form.
    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}
