import Synchronization

/// A ``ProgressBar`` shared by reference: an upload's producer thread updates it while the command waits for the
/// daemon, and a download creates it once the size is known.
final class SharedProgressBar: Sendable {
    private let bar: Mutex<ProgressBar>

    init(_ bar: ProgressBar) {
        self.bar = Mutex(bar)
    }

    /// Reports `done` bytes.
    func update(_ done: UInt64) {
        bar.withLock { $0.update(done) }
    }

    /// Starts over with `bar` (when the total becomes known).
    func replace(with bar: ProgressBar) {
        self.bar.withLock { $0 = bar }
    }

    /// Draws the final state: `done` bytes, or the last count reported when `nil`.
    func finish(_ done: UInt64?) {
        bar.withLock { bar in
            let count = done ?? bar.done
            bar.finish(count)
        }
    }
}
