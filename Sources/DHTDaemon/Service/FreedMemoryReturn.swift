#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// Hands memory that closed connections freed back to the system, at most about once a second: a service of the
/// daemon's group, so it ends with the others.
///
/// glibc keeps freed memory in its arenas for reuse: after a burst of connections that each held a frame of up to
/// 2 MiB or blocks waiting to be written, the daemon's RSS stayed about 65 MB above its baseline long after they
/// closed. `malloc_trim(0)` returns the free pages of every arena (not only the top of the heap, as the trim
/// threshold does). It walks the arenas, a few milliseconds for a daemon's heap, so closes are gathered: the first
/// one starts a wait of `delay`, the ones during it are folded into one more wake, and each wait ends in one trim.
final class FreedMemoryReturn: Service {
    private let closes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let delay: Duration

    init(delay: Duration = .seconds(1)) {
        self.delay = delay
        (closes, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// A connection closed (called on its event loop): a trim follows within `delay`.
    func connectionClosed() { continuation.yield() }

    func run() async throws {
        for await _ in closes.cancelOnGracefulShutdown() {
            guard (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.delay) }) != nil else { return }
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
