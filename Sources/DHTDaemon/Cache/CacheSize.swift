import Foundation

/// The budget of the daemon's block cache (`dhtnode run --cache-size`): how many bytes of unpinned blocks the
/// repository keeps before it evicts the least recently used.
///
/// Written as a ``ByteCount`` (`10GiB`, `512MiB`, `1.5GiB`; `10G` is 10^10 bytes, as in every option), or `off`. `off`
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
        guard let bytes = ByteCount.parse(trimmed), bytes >= Self.minimumBytes else { throw ParseError(text: text) }
        self = .bytes(bytes)
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
