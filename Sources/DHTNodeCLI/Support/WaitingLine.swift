import Synchronization

/// A line on stderr while a command waits for the network before its first byte (`get: looking for peers with
/// bafy… 2.4 s`), redrawn five times a second, so a terminal never looks stuck. Draws nothing unless enabled (stderr
/// is a terminal and `--quiet` is not set).
final class WaitingLine: Sendable {
    /// Whether the line is still drawn; drawing and stopping hold the lock, so nothing is drawn after ``stop()``.
    private let active: Mutex<Bool>

    init(_ text: String, enabled: Bool) {
        active = Mutex(enabled)
        guard enabled else { return }
        let started = ContinuousClock.now
        Task { [self] in
            while draw(text, since: started) {
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func draw(_ text: String, since started: ContinuousClock.Instant) -> Bool {
        active.withLock { active in
            guard active else { return false }
            let elapsed = started.duration(to: .now).components
            let tenths = Int(elapsed.seconds) * 10 + Int(elapsed.attoseconds / 100_000_000_000_000_000)
            FileOutput.standardError("\r\(text) \(tenths / 10).\(tenths % 10) s\u{1B}[K")
            return true
        }
    }

    /// Stops drawing and clears the line (the progress bar that follows takes its place).
    func stop() {
        active.withLock { active in
            guard active else { return }
            active = false
            FileOutput.standardError("\r\u{1B}[K")
        }
    }
}
