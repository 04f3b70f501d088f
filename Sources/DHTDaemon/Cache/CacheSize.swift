import Foundation

/// The budget of the daemon's block cache (`dhtnode run --cache-size`): how many bytes of unpinned blocks the
/// repository keeps before it evicts the least recently used.
///
/// Written as a byte count with an optional binary unit, `B`, `KiB`, `MiB`, `GiB`, `TiB` (`10GiB`, `512MiB`,
/// `1.5GiB`; `K`, `M`, `G`, `T` and `KB`… mean the same powers of 1024, as disk sizes usually do), or `off`. `off`
/// and `0` mean no cache: unpinned blocks are kept until `dhtnode gc`, as a repository without a cache does.
/// A budget is at least ``minimumBytes``: the blocks being written while a fetch runs must fit in it.
public enum CacheSize: Sendable, Hashable, CustomStringConvertible {
    /// No budget: nothing is evicted.
    case off
    /// At most this many bytes of unpinned blocks.
    case bytes(UInt64)

    /// The default: 10 GiB, kubo's default `StorageMax`.
    public static let `default` = CacheSize.bytes(10 << 30)
    /// The smallest budget: 4 MiB (sixteen 256 KiB blocks).
    public static let minimumBytes: UInt64 = 4 << 20

    /// Why a text is not a cache size.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        /// The text given.
        public var text: String
        public var description: String {
            "'\(text)' is not a cache size: give a size like 10GiB, 512MiB or 1.5GiB (at least 4MiB), or off"
        }
    }

    /// Reads `text` as described above.
    ///
    /// - Throws: ``ParseError`` for anything else, or a budget below ``minimumBytes`` (other than `0`).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "off" || trimmed == "0" {
            self = .off
            return
        }
        let units: [(suffix: String, shift: Int)] = [
            ("tib", 40), ("gib", 30), ("mib", 20), ("kib", 10), ("tb", 40), ("gb", 30), ("mb", 20), ("kb", 10),
            ("t", 40), ("g", 30), ("m", 20), ("k", 10), ("b", 0),
        ]
        let lower = trimmed.lowercased()
        var number = Substring(lower)
        var shift = 0
        if let unit = units.first(where: { lower.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            shift = unit.shift
        }
        let digits = number.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(digits),
            value.isFinite
        else { throw ParseError(text: text) }
        let bytes = value * Double(UInt64(1) << UInt64(shift))
        guard bytes >= Double(Self.minimumBytes), bytes < 0x1p62 else { throw ParseError(text: text) }
        self = .bytes(UInt64(bytes))
    }

    /// The budget in bytes; `nil` when off.
    public var budget: UInt64? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    /// `off`, or the size in the largest binary unit that divides it (`10GiB`), else in bytes.
    public var description: String {
        guard case .bytes(let bytes) = self else { return "off" }
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where bytes % (UInt64(1) << UInt64(shift)) == 0 {
            return "\(bytes >> UInt64(shift))\(unit)"
        }
        return "\(bytes)B"
    }
}
