import Foundation

/// Reads how much CPU time a process has used, from `/proc/PID/stat` (Linux).
///
/// `bench load` divides the target's CPU time by its replies: the CPU cost of one reply is far steadier than
/// replies per second on a shared machine, where steal time and other processes change how much of a core the
/// target gets.
enum ProcessCPUTime {
    /// User plus system CPU time of `pid` so far, or `nil` when the process or the file does not exist.
    static func of(pid: Int32) -> Duration? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 13, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        guard ticksPerSecond > 0 else { return nil }
        return .milliseconds((user + system) * 1000 / ticksPerSecond)
    }
}
