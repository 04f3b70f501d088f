import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes a half-written output when the user interrupts the command (Ctrl-C, `SIGTERM`), then exits with the
/// status a shell expects of a program ended by that signal (130 for `SIGINT`): `get` writes to a temporary name
/// that no one else would ever clean up. The process's end also closes its connection to the daemon, which cancels
/// the daemon's fetch.
///
/// A signal handler may do next to nothing, so it only writes the signal's number to a pipe; a thread waiting on
/// the pipe removes the output and exits. The handler is installed with `sigaction`, which also takes the signals
/// back from a disposition inherited as ignored (a shell starts background jobs with `SIGINT` ignored).
final class InterruptCleanup: Sendable {
    private static let state = Mutex<(path: String?, watching: Bool)>((nil, false))

    /// Removes `path` (a file or a folder tree) on `SIGINT` or `SIGTERM` until ``cancel()``.
    init(removing path: String) {
        let start = Self.state.withLock { state in
            state.path = path
            defer { state.watching = true }
            return !state.watching
        }
        if start { Self.startWatching() }
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = interruptSignalHandler
            #else
            action.__sigaction_u.__sa_handler = interruptSignalHandler
            #endif
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// Stops removing the output; the signals' default actions are back.
    func cancel() {
        Foundation.signal(SIGINT, SIG_DFL)
        Foundation.signal(SIGTERM, SIG_DFL)
        Self.state.withLock { $0.path = nil }
    }

    private static func startWatching() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        interruptPipeWrite = fds[1]
        let reader = fds[0]
        let thread = Thread {
            var signal: UInt8 = 0
            while read(reader, &signal, 1) != 1 {}
            if let path = state.withLock({ $0.path }) { try? FileManager.default.removeItem(atPath: path) }
            // `_exit`: no atexit handlers, which could wait on threads the interrupted work still holds.
            _exit(128 + Int32(signal))
        }
        thread.start()
    }
}

/// The pipe's writing end, for the signal handler (which can reach only globals).
nonisolated(unsafe) private var interruptPipeWrite: Int32 = -1

private func interruptSignalHandler(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(interruptPipeWrite, &byte, 1)
}
