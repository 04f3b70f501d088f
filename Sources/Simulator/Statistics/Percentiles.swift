/// Nearest-rank percentiles of a sample.
public struct Percentiles: Sendable {
    private let sorted: [Double]

    /// Sorts the sample once.
    public init(_ values: some Sequence<Double>) {
        sorted = values.sorted()
    }

    /// The number of values.
    public var count: Int { sorted.count }

    /// The smallest value with at least `fraction` of the sample at or below it (0 for an empty sample).
    public func value(at fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// The arithmetic mean (0 for an empty sample).
    public var mean: Double {
        sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }
}
