import Testing

@testable import QuotaTime

@Suite struct HTTPDateTests {
    /// RFC 9110 §5.6.7's own example in each of the three forms.
    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func rfcExamples(_ text: String) throws {
        #expect(try HTTPDate.parse(text, currentYear: 2026) == 784_111_777)
        #expect(try HTTPDate.parse(text) == 784_111_777)
    }

    @Test func otherValidDates() throws {
        #expect(try HTTPDate.parse("Tue, 14 Nov 2023 22:15:00 GMT") == 1_700_000_100)
        #expect(try HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(try HTTPDate.parse("Thu Feb 29 12:00:00 2024") == 1_709_208_000)
        #expect(try HTTPDate.parse("Wed Dec 31 23:59:60 2016") == 1_483_228_799.999999)
        // The weekday is not checked against the date.
        #expect(try HTTPDate.parse("Mon, 01 Jan 1970 00:00:00 GMT") == 0)
    }

    /// Two-digit years: at most 50 years ahead, else the century before.
    @Test func rfc850Years() throws {
        func year(_ text: String, now: Int) throws -> Int {
            CivilTime(unixSeconds: try HTTPDate.parse(text, currentYear: now)).year
        }
        #expect(try year("Monday, 01-Jan-76 00:00:00 GMT", now: 2026) == 2076)
        #expect(try year("Monday, 01-Jan-77 00:00:00 GMT", now: 2026) == 1977)
        #expect(try year("Monday, 01-Jan-26 00:00:00 GMT", now: 2026) == 2026)
        #expect(try year("Monday, 01-Jan-99 00:00:00 GMT", now: 2026) == 1999)
        #expect(try year("Monday, 01-Jan-10 00:00:00 GMT", now: 2090) == 2110)
    }

    @Test(arguments: [
        "", "120", "Sun", "Sun,", "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun,  06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT", "Sunday 06-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun Nov 06 08:49:37 1994 GMT", "Sun Nov 31 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 +0000", "Fun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z",
    ])
    func invalid(_ text: String) {
        #expect(throws: TimestampError.self) { try HTTPDate.parse(text, currentYear: 2026) }
    }

    @Test(arguments: [
        (784_111_777.0, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (0.0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (-1.0, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (1_796_160_426.75, "Tue, 01 Dec 2026 21:27:06 GMT"),
        (Double.nan, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1e20, "Fri, 31 Dec 9999 23:59:59 GMT"),
    ])
    func format(_ seconds: Double, _ expected: String) throws {
        #expect(HTTPDate.format(unixSeconds: seconds) == expected)
        #expect(try HTTPDate.parse(expected) == seconds.rounded(.down) || !seconds.isFinite || seconds > 1e12)
    }
}
