import Foundation

/// Reads a process's memory figures from the kernel (this process's by default).
enum ProcessMemory {
    /// The peak resident set size (`VmHWM` in /proc/PID/status), or `nil` where that file does not exist.
    static func peakResidentBytes(pid: Int32? = nil) -> Int? {
        value(of: "VmHWM", pid: pid)
    }

    /// The current resident set size (`VmRSS`).
    static func residentBytes(pid: Int32? = nil) -> Int? {
        value(of: "VmRSS", pid: pid)
    }

    private static func value(of field: String, pid: Int32?) -> Int? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}
