/// A `Range: bytes=…` request header (RFC 9110, section 14.1.2), one range of it.
///
/// `bytes=A-B` (A to B inclusive), `bytes=A-` (from A to the end) and `bytes=-N` (the last N bytes). A header with
/// several ranges, or another unit, is not an error: the gateway then sends the whole file with 200, which the RFC
/// allows (a server may ignore `Range`).
public enum ByteRangeRequest: Hashable, Sendable {
    /// Bytes `first` through `last` (inclusive), or to the end when `last` is `nil`.
    case from(first: UInt64, last: UInt64?)
    /// The last `length` bytes.
    case suffix(length: UInt64)

    /// Parses the header's value; `nil` when the gateway should ignore it (several ranges, another unit).
    ///
    /// - Throws: ``GatewayError`` 400 for a `bytes=` range that is malformed or runs backwards.
    public init?(header: some StringProtocol) throws(GatewayError) {
        let text = header.trimmingSpaces
        guard text.lowercased().hasPrefix("bytes=") else { return nil }
        let spec = text.dropFirst("bytes=".count).trimmingSpaces
        guard !spec.contains(",") else { return nil }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .badRequest("Range '\(GatewayRoot.shown(text))' is not bytes=A-B") }
        let first = parts[0].trimmingSpaces, last = parts[1].trimmingSpaces
        if first.isEmpty {
            guard let length = UInt64(last) else {
                throw .badRequest("Range '\(GatewayRoot.shown(text))' is not bytes=-N")
            }
            self = .suffix(length: length)
            return
        }
        guard let start = UInt64(first), last.isEmpty || UInt64(last) != nil else {
            throw .badRequest("Range '\(GatewayRoot.shown(text))' is not bytes=A-B, bytes=A- or bytes=-N")
        }
        let end = last.isEmpty ? nil : UInt64(last)
        if let end, end < start {
            throw .badRequest("Range '\(GatewayRoot.shown(text))' ends before it starts")
        }
        self = .from(first: start, last: end)
    }

    /// The bytes this range selects from a file of `size` bytes, as a half-open range; `nil` when it selects
    /// nothing (the answer is then 416 with `Content-Range: bytes */size`).
    public func resolved(size: UInt64) -> Range<UInt64>? {
        switch self {
        case .from(let first, let last):
            guard first < size else { return nil }
            return first..<(last.map { min($0, size - 1) + 1 } ?? size)
        case .suffix(let length):
            guard length > 0, size > 0 else { return nil }
            return (size - min(length, size))..<size
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return Substring() }
        let end = lastIndex(where: { !isSpace($0) })!
        return Substring(self[start...end])
    }
}
