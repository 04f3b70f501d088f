import Testing

@testable import Names

/// RFC 3339 text and instants.
@Suite struct IPNSTimeTests {
    @Test func parsesAndWritesAsGoDoes() throws {
        let cases: [(String, Int64, UInt32, String)] = [
            ("1970-01-01T00:00:00.000000001Z", 0, 1, "1970-01-01T00:00:00.000000001Z"),
            ("2123-08-14T12:17:03.694052Z", 4_847_689_023, 694_052_000, "2123-08-14T12:17:03.694052Z"),
            ("2000-02-29T23:59:59Z", 951_868_799, 0, "2000-02-29T23:59:59Z"),
            ("2000-03-01T01:00:00+01:00", 951_868_800, 0, "2000-03-01T00:00:00Z"),
            ("1969-12-31T23:59:59.5Z", -1, 500_000_000, "1969-12-31T23:59:59.5Z"),
            ("0000-01-01T00:00:00Z", -62_167_219_200, 0, "0000-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59.999999999Z", 253_402_300_799, 999_999_999, "9999-12-31T23:59:59.999999999Z"),
        ]
        for (text, seconds, nanos, written) in cases {
            let time = try #require(IPNSTime(rfc3339: text), "\(text)")
            #expect(time.secondsSince1970 == seconds && time.nanoseconds == nanos, "\(text)")
            #expect(time.rfc3339 == written)
        }
    }

    @Test(arguments: [
        "", "2123-08-14", "2123-08-14T12:17:03", "2123-08-14t12:17:03Z", "2123-08-14T12:17:03z",
        "2123-13-01T00:00:00Z", "2123-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2123-08-14T24:00:00Z",
        "2123-08-14T12:60:00Z", "2123-08-14T12:17:60Z", "2123-08-14T12:17:03.Z", "2123-08-14T12:17:03.1234567890Z",
        "2123-08-14T12:17:03+1:00", "2123-08-14T12:17:03+01:00x", "+123-08-14T12:17:03Z", "2123-08-14T12:17:03 Z",
    ])
    func refused(text: String) {
        #expect(IPNSTime(rfc3339: text) == nil)
    }

    @Test func everyDayOfFourHundredYearsRoundTrips() {
        var days = IPNSTime.daysSince1970(year: 1900, month: 1, day: 1)
        for year in Int64(1900)..<2300 {
            for month in Int64(1)...12 {
                let count: Int64 =
                    month == 2
                    ? ((year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28)
                    : [4, 6, 9, 11].contains(month) ? 30 : 31
                for day in 1...count {
                    if IPNSTime.daysSince1970(year: year, month: month, day: day) != days
                        || IPNSTime.civilDate(daysSince1970: days) != (year, month, day)
                    {
                        Issue.record("\(year)-\(month)-\(day)")
                        return
                    }
                    days += 1
                }
            }
        }
    }

    @Test func addingAndComparing() throws {
        let start = IPNSTime(secondsSince1970: 10, nanoseconds: 999_999_999)
        #expect(start.adding(.nanoseconds(1)) == IPNSTime(secondsSince1970: 11))
        #expect(start.adding(.seconds(-11)) == IPNSTime(secondsSince1970: -1, nanoseconds: 999_999_999))
        #expect(IPNSTime(secondsSince1970: .max).adding(.seconds(1)) == nil)
        #expect(IPNSTime(secondsSince1970: 1) < IPNSTime(secondsSince1970: 1, nanoseconds: 1))
        #expect(
            IPNSTime(secondsSince1970: 0, nanoseconds: 1_500_000_000)
                == IPNSTime(secondsSince1970: 1, nanoseconds: 500_000_000)
        )
        #expect(IPNSTime(secondsSince1970: 20).duration(since: start) == .nanoseconds(9_000_000_001))
        #expect(IPNSTime(secondsSince1970: 300_000_000_000).rfc3339 == nil, "past year 9999")
    }
}
