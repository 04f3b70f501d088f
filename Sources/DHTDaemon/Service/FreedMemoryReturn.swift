#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Hands memory that closed connections freed back to the system, at most once a second.
///
/// glibc keeps freed memory in its arenas for reuse: after a burst of connections that each held a frame of up to
/// 2 MiB or blocks waiting to be written, the daemon's RSS stayed about 65 MB above its baseline long after they
/// closed. `malloc_trim(0)` returns the free pages of every arena (not only the top of the heap, as the trim
/// threshold does). It walks the arenas, a few milliseconds for a daemon's heap, so closes are gathered: the first
/// one schedules a trim a second later, and the ones before it runs share it.
final class FreedMemoryReturn: Sendable {
    private let pending = Mutex(false)
    private let delay: Duration

    init(delay: Duration = .seconds(1)) { self.delay = delay }

    /// A connection closed: trims within `delay` unless a trim is already scheduled.
    func connectionClosed() {
        let schedule = pending.withLock { pending in
            defer { pending = true }
            return !pending
        }
        guard schedule else { return }
        Task { [self] in
            try? await Task.sleep(for: delay)
            pending.withLock { $0 = false }
            Self.trim()
        }
    }

    /// Returns free memory of every malloc arena to the system (a no-op where `malloc_trim` is missing).
    static func trim() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
