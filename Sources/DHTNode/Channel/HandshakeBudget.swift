import Synchronization

/// How many handshakes a listener runs at once: past the limit a new connection is closed as soon as it is
/// accepted, so a flood of silent or slow peers costs at most `limit` sockets for a handshake timeout each.
final class HandshakeBudget: Sendable {
    private let limit: Int
    private let running = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one slot; `false` when all are taken.
    func acquire() -> Bool {
        running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives a slot back once a handshake has ended, either way.
    func release() {
        running.withLock { $0 -= 1 }
    }
}
