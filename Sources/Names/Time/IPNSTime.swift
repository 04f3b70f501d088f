/// An instant in UTC with nanosecond precision: a record's expiry (`Validity` when `ValidityType` is EOL) and the
/// `now` it is checked against.
///
/// Names reads no clock: the caller passes `now` (the command line reads the system clock; tests pass any
/// instant). Text is RFC 3339 (`2123-08-14T12:17:03.694052Z`).
public struct IPNSTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before it).
    public let secondsSince1970: Int64
    /// Nanoseconds after ``secondsSince1970``, below 1,000,000,000.
    public let nanoseconds: UInt32

    /// The instant `secondsSince1970` seconds and `nanoseconds` nanoseconds after the Unix epoch; nanoseconds of a
    /// second or more carry into the seconds.
    public init(secondsSince1970: Int64, nanoseconds: UInt32 = 0) {
        self.secondsSince1970 = secondsSince1970 + Int64(nanoseconds / 1_000_000_000)
        self.nanoseconds = nanoseconds % 1_000_000_000
    }

    public static func < (lhs: IPNSTime, rhs: IPNSTime) -> Bool {
        (lhs.secondsSince1970, lhs.nanoseconds) < (rhs.secondsSince1970, rhs.nanoseconds)
    }

    /// This instant moved by `duration` (later for a positive one), or `nil` past what 64-bit seconds hold.
    public func adding(_ duration: Duration) -> IPNSTime? {
        let (seconds, attoseconds) = duration.components
        var nanos = Int64(nanoseconds) + attoseconds / 1_000_000_000
        var carry: Int64 = 0
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000
            carry = 1
        } else if nanos < 0 {
            nanos += 1_000_000_000
            carry = -1
        }
        let (partial, overflow1) = secondsSince1970.addingReportingOverflow(seconds)
        let (total, overflow2) = partial.addingReportingOverflow(carry)
        guard !overflow1, !overflow2 else { return nil }
        return IPNSTime(secondsSince1970: total, nanoseconds: UInt32(nanos))
    }

    /// The time from `earlier` to this instant (negative when `earlier` is later).
    public func duration(since earlier: IPNSTime) -> Duration {
        .seconds(secondsSince1970 - earlier.secondsSince1970)
            + .nanoseconds(Int64(nanoseconds) - Int64(earlier.nanoseconds))
    }

    // MARK: RFC 3339

    /// Parses RFC 3339 date-time text: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, then `Z` or
    /// an offset `±HH:MM`. `T` and `Z` must be uppercase and the second at most 59, as Go's `time.RFC3339` parser
    /// (which kubo uses) requires; an instant with an offset is converted to UTC.
    ///
    /// Returns `nil` for anything else, including days that do not exist (February 30).
    public init?(rfc3339 text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8.count <= 35 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<(start + count) {
                let byte = utf8[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func expect(_ index: Int, _ character: Unicode.Scalar) -> Bool {
            index < utf8.count && utf8[index] == UInt8(ascii: character)
        }
        guard let year = digits(0, 4), expect(4, "-"), let month = digits(5, 2), expect(7, "-"),
            let day = digits(8, 2), expect(10, "T"), let hour = digits(11, 2), expect(13, ":"),
            let minute = digits(14, 2), expect(16, ":"), let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year), hour <= 23,
            minute <= 59, second <= 59
        else { return nil }

        var index = 19
        var nanos: Int64 = 0
        if expect(index, ".") {
            index += 1
            let start = index
            while index < utf8.count, utf8[index] >= UInt8(ascii: "0"), utf8[index] <= UInt8(ascii: "9") {
                index += 1
            }
            let count = index - start
            guard (1...9).contains(count), let fraction = digits(start, count) else { return nil }
            nanos = fraction
            for _ in count..<9 { nanos *= 10 }
        }

        var offsetSeconds: Int64 = 0
        if expect(index, "Z") {
            index += 1
        } else if expect(index, "+") || expect(index, "-") {
            let sign: Int64 = utf8[index] == UInt8(ascii: "-") ? -1 : 1
            guard utf8.count - index >= 6, let offsetHour = digits(index + 1, 2), expect(index + 3, ":"),
                let offsetMinute = digits(index + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
            index += 6
        } else {
            return nil
        }
        guard index == utf8.count else { return nil }

        let days = Self.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        self.init(secondsSince1970: seconds, nanoseconds: UInt32(nanos))
    }

    /// RFC 3339 text in UTC as Go's `time.RFC3339Nano` writes it (and so kubo): the fraction of a second with
    /// its trailing zeros removed, and no fraction at all on a whole second. A record written here therefore has
    /// the same bytes as kubo's for the same fields and key. `nil` outside years 0 to 9999, which RFC 3339
    /// cannot write.
    public var rfc3339: String? {
        let days = secondsSince1970 >= 0 ? secondsSince1970 / 86_400 : (secondsSince1970 - 86_399) / 86_400
        let secondOfDay = secondsSince1970 - days * 86_400
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        guard (0...9999).contains(year) else { return nil }
        func padded(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T"
        text += "\(padded(secondOfDay / 3600, 2)):\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2))"
        if nanoseconds > 0 {
            var fraction = padded(Int64(nanoseconds), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// ``rfc3339``, or the seconds since 1970 for an instant outside years 0 to 9999.
    public var description: String { rfc3339 ?? "\(secondsSince1970)s since 1970 (\(nanoseconds) ns)" }

    // MARK: Calendar (proleptic Gregorian)

    private static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the date (H. Hinnant's `days_from_civil`: eras of 400 years, years from March).
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01 (the inverse of ``daysSince1970(year:month:day:)``).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
