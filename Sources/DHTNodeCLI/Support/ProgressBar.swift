/// A one-line progress bar on stderr: bytes done of total, rate and time left, redrawn at most ten times a
/// second. It draws nothing unless enabled (stderr is a terminal and `--quiet` is not set), so piped output and
/// logs stay clean.
struct ProgressBar {
    private let label: String
    /// The total, when known.
    private let total: UInt64?
    /// The last count reported.
    private(set) var done: UInt64 = 0
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant

    init(label: String, total: UInt64?, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
        self.started = clock.now
        self.lastDrawn = started
    }

    /// Reports `done` bytes; redraws if a tenth of a second has passed.
    mutating func update(_ done: UInt64) {
        self.done = done
        guard enabled else { return }
        let now = clock.now
        guard now - lastDrawn >= .milliseconds(100) else { return }
        lastDrawn = now
        draw(done, now: now)
    }

    /// Draws the final state (bytes and average rate) and ends the line.
    mutating func finish(_ done: UInt64) {
        guard enabled else { return }
        draw(done, now: clock.now)
        FileOutput.standardError("\n")
    }

    private mutating func draw(_ done: UInt64, now: ContinuousClock.Instant) {
        let elapsed = Self.seconds(now - started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var line = label
        if let total {
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            line += " [\(bar)] \(Self.bytes(done))/\(Self.bytes(total)) \(Self.bytes(UInt64(rate)))/s"
            if rate > 0 && done < total {
                line += " \(Self.duration(Double(total - done) / rate)) left"
            }
        } else {
            line += " \(Self.bytes(done)) \(Self.bytes(UInt64(rate)))/s"
        }
        // \r returns to the start of the line; ESC[K clears what a longer previous line left.
        FileOutput.standardError("\r" + line + "\u{1B}[K")
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `512 B`, `1.5 KiB`, `12.0 MiB`, `1.00 GiB`.
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(units[unit])"
    }

    /// `42s`, `3m05s`, `2h10m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m" + (total % 60 < 10 ? "0" : "") + "\(total % 60)s" }
        return "\(total / 3600)h" + ((total % 3600) / 60 < 10 ? "0" : "") + "\((total % 3600) / 60)m"
    }
}
