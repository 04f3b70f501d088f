import Blocks
import Dispatch
import Foundation
import Synchronization

/// Puts blocks into a ``WriteSession`` on a second thread, so that `add` hashes the next chunks while the
/// previous ones are written: hashing is user time, writing block files is mostly kernel time, and the two
/// overlap on two cores.
///
/// At most ``capacity`` blocks wait (a few MiB). The first write error stops the writer; it is thrown by the next
/// ``send(_:)`` or by ``finish()``, and later blocks are dropped (the session is discarded by the caller).
final class BlockWriterThread: Sendable {
    /// Blocks that may wait for the writer.
    static let capacity = 16

    private struct State {
        var queue: [Block] = []
        var isFinished = false
        var failure: BlockStoreError?
    }

    private let session: WriteSession
    private let state = Mutex(State())
    private let queued = DispatchSemaphore(value: 0)
    private let space = DispatchSemaphore(value: BlockWriterThread.capacity)
    private let done = DispatchGroup()

    /// Starts the writer thread for `session`.
    init(session: WriteSession) {
        self.session = session
        done.enter()
        let thread = Thread { [self] in
            run()
            done.leave()
        }
        thread.start()
    }

    /// Queues a block, waiting while ``capacity`` blocks are queued; throws the writer's error if it failed.
    func send(_ block: Block) throws {
        space.wait()
        let failure = state.withLock { state -> BlockStoreError? in
            if let failure = state.failure { return failure }
            state.queue.append(block)
            return nil
        }
        if let failure {
            space.signal()
            throw CLIError(failure)
        }
        queued.signal()
    }

    /// Waits until every queued block is put; throws the writer's error if it failed.
    func finish() throws {
        state.withLock { $0.isFinished = true }
        queued.signal()
        done.wait()
        if let failure = state.withLock({ $0.failure }) { throw CLIError(failure) }
    }

    private func run() {
        while true {
            queued.wait()
            let next = state.withLock { state -> Block?? in
                if state.queue.isEmpty { return state.isFinished ? .some(nil) : nil }
                return state.queue.removeFirst()
            }
            guard let next else { continue }  // a wake-up with nothing queued: not finished yet
            guard let block = next else { return }
            space.signal()
            if state.withLock({ $0.failure }) != nil { continue }
            do {
                try session.put(block)
            } catch {
                state.withLock { $0.failure = error }
            }
        }
    }
}
