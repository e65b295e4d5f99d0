import Testing

@testable import QuotaTime

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2019-12-27T18:11:19.117Z", 1_577_470_279.117),
        ("2019-12-27t18:11:19.117z", 1_577_470_279.117),
        ("2026-12-01T21:27:06+01:00", 1_796_156_826.0),
        ("2026-12-01T21:27:06-05:30", 1_796_180_226.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("0000-01-01T00:00:00Z", -62_167_219_200.0),
        ("9999-12-31T23:59:59Z", 253_402_300_799.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("2000-02-29T12:00:00Z", 951_825_600.0),
        ("2026-01-01T00:00:00.5Z", 1_767_225_600.5),
        ("2026-01-01T00:00:00.0000004Z", 1_767_225_600.0),
        ("2026-01-01T00:00:00.0000005Z", 1_767_225_600.000001),
        ("2026-01-01T00:00:00.9999995Z", 1_767_225_601.0),
        ("2016-12-31T23:59:60Z", 1_483_228_799.999999),
        ("1990-12-31T15:59:60-08:00", 662_687_999.999999),
        ("2026-01-01T00:00:00+23:59", 1_767_225_600.0 - 86_340),
    ])
    func valid(_ text: String, _ expected: Double) throws {
        #expect(try RFC3339.parse(text) == expected)
    }

    /// ICU trapped (SIGFPE) on a fraction this long; here it is just rounded.
    /// Found by FuzzRFC3339: an offset carries a local first or last day
    /// of the 0000-9999 range just past it in UTC. Both are valid RFC 3339;
    /// the instant is kept as it is and `format`, which writes years
    /// 0000-9999 only, clamps instead of trapping.
    @Test func offsetsMayCarryTheRangeEdgesPastIt() throws {
        let late = try RFC3339.parse("9999-12-31T23:59:60-23:59")
        #expect(late > 253_402_300_799)
        #expect(RFC3339.format(unixSeconds: late) == "9999-12-31T23:59:59Z")
        let early = try RFC3339.parse("0000-01-01T00:00:00+20:50")
        #expect(early == -62_167_219_200 - 75_000)
        #expect(RFC3339.format(unixSeconds: early) == "0000-01-01T00:00:00Z")
    }

    @Test func longFractionIsRounded() throws {
        let text = "2026-01-01T00:00:00." + String(repeating: "9", count: 100_000) + "Z"
        #expect(try RFC3339.parse(text) == 1_767_225_601.0)
        let zeros = "2026-01-01T00:00:00.25" + String(repeating: "0", count: 10_000) + "+00:00"
        #expect(try RFC3339.parse(zeros) == 1_767_225_600.25)
        #expect(try RFC3339.parse(Substring(zeros)) == 1_767_225_600.25)
    }

    @Test(arguments: [
        "", "2026", "2026-01-01", "2026-01-01T00:00Z", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00,5Z", "2026-1-01T00:00:00Z", "+2026-01-01T00:00:00Z",
        "20260-01-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z", "2026-01-01T00:00:99Z",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+00:60", "2026-01-01T00:00:00+0100",
        "2026-01-01T00:00:00+01", "2026-01-01T00:00:00Z ", " 2026-01-01T00:00:00Z", "2026-01-01T00:00:00ZZ",
        "2026-01-01T00:00:00UTC", "2026-01-01T00:00:00GMT", "２０２６-01-01T00:00:00Z", "2026-01-01T00:00:00-00:00x",
        "2026-01-01T00:00:00.1e5Z", "-001-01-01T00:00:00Z", "2026-01-01T00:00:00\u{0}Z",
    ])
    func invalid(_ text: String) {
        #expect(throws: TimestampError.self) { try RFC3339.parse(text) }
    }

    @Test func errorsNameTheProblemAndQuoteOnlyASafePrefix() {
        func message(_ text: String) -> String {
            do {
                _ = try RFC3339.parse(text)
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(message("2026-13-01T00:00:00Z") == "month 13 is not 01-12 (in \"2026-13-01T00:00:00Z\")")
        #expect(message("2026-02-29T00:00:00Z") == "day 29 is not 01-28 in month 02 of 2026 (in \"2026-02-29T00:00:00Z\")")
        #expect(message("2026-01-01") == "expected \"T\" between date and time at offset 10 (in \"2026-01-01\")")
        let secret = "sk_live_" + String(repeating: "A", count: 100)
        let quoted = message(secret)
        #expect(quoted == "expected 4 digits for the year at offset 0 (in \"sk_live_AAAAAAAAAAAAAAAAAAAAAAAA\"…)")
        #expect(!quoted.contains(secret.prefix(33)))
        #expect(message("2026\u{1B}[31m\u{0}é") == "expected \"-\" after the year at offset 4 (in \"2026?[31m???\")")
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (1_796_160_426.9, "2026-12-01T21:27:06Z"),
        (-0.5, "1969-12-31T23:59:59Z"),
        (-62_167_219_200.0, "0000-01-01T00:00:00Z"),
        (253_402_300_799.0, "9999-12-31T23:59:59Z"),
        (1e300, "9999-12-31T23:59:59Z"),
        (-1e300, "0000-01-01T00:00:00Z"),
        (Double.infinity, "9999-12-31T23:59:59Z"),
        (Double.nan, "1970-01-01T00:00:00Z"),
    ])
    func format(_ seconds: Double, _ expected: String) {
        #expect(RFC3339.format(unixSeconds: seconds) == expected)
    }

    @Test func formatRoundTripsEveryDayOfFourHundredYears() throws {
        // One era of the Gregorian calendar covers every leap-year rule.
        var day: Int64 = CivilTime.daysFromCivil(year: 1800, month: 1, day: 1)
        let end = CivilTime.daysFromCivil(year: 2200, month: 1, day: 1)
        #expect(end - day == 146_097)
        var previous: (year: Int, month: Int, day: Int)?
        while day < end {
            let seconds = Double(day * 86_400 + 45_296)
            let text = RFC3339.format(unixSeconds: seconds)
            #expect(try RFC3339.parse(text) == seconds)
            let civil = CivilTime.civilFromDays(day)
            if let previous {
                let nextDay = previous.day < CivilTime.daysInMonth(previous.month, year: previous.year)
                let expected = nextDay ? (previous.year, previous.month, previous.day + 1)
                    : previous.month < 12 ? (previous.year, previous.month + 1, 1) : (previous.year + 1, 1, 1)
                #expect(civil == expected)
            }
            previous = civil
            day += 1
        }
    }
}
