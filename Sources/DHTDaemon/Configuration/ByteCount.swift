/// A byte count as every `dhtnode` option writes it (`--upload-limit`, `--relay-*`, `--cache-size`): a number,
/// possibly with a fraction, and an optional unit. SI units are powers of 1,000 (`k`, `M`, `G`, `T`, also written
/// `kB`, `MB`, `GB`, `TB`), binary units powers of 1,024 (`KiB`, `MiB`, `GiB`, `TiB`); `B` or no unit means bytes.
/// Units are read without regard to case, so `2.5M` is 2,500,000 bytes and `10GiB` is 10 × 2^30.
public enum ByteCount {
    private static let units: [(suffix: String, factor: Double)] = [
        ("kib", 0x1p10), ("mib", 0x1p20), ("gib", 0x1p30), ("tib", 0x1p40),
        ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12),
        ("k", 1e3), ("m", 1e6), ("g", 1e9), ("t", 1e12), ("b", 1),
    ]

    /// The whole number of bytes `text` says, or `nil` when it is not a byte count or is 2^62 or more.
    public static func parse(_ text: String) -> UInt64? {
        let lower = text.lowercased().filter { $0 != " " }
        var number = Substring(lower)
        var factor = 1.0
        if let unit = units.first(where: { lower.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            factor = unit.factor
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite
        else { return nil }
        let bytes = (value * factor).rounded(.down)
        guard bytes < 0x1p62 else { return nil }
        return UInt64(bytes)
    }
}
