import Metrics

/// The repository's blocks, bytes and pins as `/metrics` gauges. Counting walks the repository's folders, so it
/// happens when the state is saved and when `/metrics` is scraped, at most once per ``minimumInterval`` there.
actor RepositoryMetrics {
    /// How old the counts may be when `/metrics` is scraped.
    static let minimumInterval: Duration = .seconds(10)

    private let repository: BlockRepository
    private let blocks = Gauge(label: "repository_blocks")
    private let bytes = Gauge(label: "repository_bytes")
    private let pins = Gauge(label: "repository_pins")
    private var countedAt: ContinuousClock.Instant?

    init(repository: BlockRepository) {
        self.repository = repository
    }

    /// Counts again unless the last count is younger than `maximumAge`; a failed count keeps the old values.
    func refresh(ifOlderThan maximumAge: Duration = .zero) async {
        let now = ContinuousClock.now
        if let countedAt, countedAt.duration(to: now) < maximumAge { return }
        countedAt = now
        guard let (stat, pinCount) = try? await repository.stat() else { return }
        blocks.record(stat.blockCount)
        bytes.record(stat.byteCount)
        pins.record(pinCount)
    }
}
