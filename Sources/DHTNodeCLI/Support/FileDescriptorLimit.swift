import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit.
enum FileDescriptorLimit {
    /// Raises the soft limit on open files to the hard limit, at most 65,536, and returns the soft limit then in
    /// force. The daemon's listeners cap their connections (2,048 on the gateway, 4,096 on the exchange) below what
    /// a daemon may open, and Linux's usual soft limit of 1,024 would be reached first.
    @discardableResult
    static func raiseForDaemon() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wanted = min(limit.rlim_max, 65_536)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(wanted) }
        }
        return Int(limit.rlim_cur)
    }

    /// Raises the soft limit on open files to at least `count` (up to the hard limit).
    static func raise(atLeast count: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < rlim_t(count) else { return }
        guard limit.rlim_max >= rlim_t(count) else {
            throw ValidationError(
                "this many clients need \(count) open files; the hard limit is \(limit.rlim_max) (raise it with ulimit -Hn)")
        }
        limit.rlim_cur = rlim_t(count)
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw ValidationError("cannot raise the open-file limit to \(count)")
        }
    }
}
