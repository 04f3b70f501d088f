import Foundation

/// Reads this process's memory figures from the kernel.
enum ProcessMemory {
    /// The peak resident set size (`VmHWM` in /proc/self/status), or `nil` where that file does not exist.
    static func peakResidentBytes() -> Int? {
        value(of: "VmHWM")
    }

    /// The current resident set size (`VmRSS`).
    static func residentBytes() -> Int? {
        value(of: "VmRSS")
    }

    private static func value(of field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}
