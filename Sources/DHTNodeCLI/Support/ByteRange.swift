import ArgumentParser

/// A byte range given as `A-B` on the command line: bytes A up to, not including, B (so `0-100` is the first
/// 100 bytes, the same convention as the library's ranges); `A-` reads from A to the end of the file.
struct ByteRange: Sendable {
    var start: UInt64
    var end: UInt64?

    static func parse(_ argument: String) throws -> ByteRange {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = UInt64(parts[0]) else {
            throw ValidationError(
                "--range takes A-B (bytes A up to, not including, B) or A- (from A to the end), got '\(argument)'"
            )
        }
        if parts[1].isEmpty { return ByteRange(start: start, end: nil) }
        guard let end = UInt64(parts[1]) else {
            throw ValidationError("--range: '\(parts[1])' is not a byte offset (in '\(argument)')")
        }
        guard start <= end else { throw ValidationError("--range: start \(start) is after end \(end)") }
        return ByteRange(start: start, end: end)
    }

    /// `A-B` or `A-`, as given.
    var text: String { "\(start)-\(end.map(String.init) ?? "")" }

    /// The range within a file of `fileSize` bytes.
    func resolved(fileSize: UInt64) throws -> Range<UInt64> {
        let end = self.end ?? fileSize
        guard start <= end, end <= fileSize else {
            throw CLIError("range \(text) is outside the file of \(fileSize) bytes")
        }
        return start..<end
    }
}
