import Testing
@testable import QuotaZitadel

@Suite struct NotificationParsingTests {
    /// Exactly what ZITADEL posts (field names, number types, `callURL`).
    static let zitadelPayload = #"{"unit":1,"id":"237409327382921217","callURL":"https://exporter.example/zitadel/notifications/123/s3cr3t","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#

    @Test func parsesZitadelPayload() throws {
        let notification = try ZitadelNotification.parse(Array(Self.zitadelPayload.utf8), receivedAt: 42)
        #expect(notification == ZitadelNotification(
            id: "237409327382921217", unit: .requestsAllAuthenticated, periodStart: unixTime("2026-11-01T00:00:00Z"),
            threshold: 50, usage: 500, receivedAt: 42
        ))
    }

    @Test func acceptsFractionalSecondsAndExtraFields() throws {
        let body = #"{"unit":2,"id":"x","callURL":"u","periodStart":"2026-11-01T00:00:00.000Z","threshold":100,"usage":3600,"newField":true}"#
        let notification = try ZitadelNotification.parse(Array(body.utf8), receivedAt: 0)
        #expect(notification.unit == .actionsAllRunSeconds)
        #expect(notification.usage == 3600)
    }

    @Test(arguments: [
        ("", "not valid JSON"),
        ("[1]", "must be a JSON object"),
        (#"{"unit":1}"#, "missing field \"id\""),
        (#"{"unit":"1","id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "\"unit\" must be an integer from 0 to 2147483647, found a string"),
        (#"{"unit":3,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "unknown unit 3"),
        (#"{"unit":0,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "unknown unit 0"),
        (#"{"unit":1,"id":"","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "\"id\" must be"),
        (#"{"unit":1,"id":"a","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "missing field \"callURL\""),
        (#"{"unit":1,"id":"a","callUrl":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "missing field \"callURL\""),
        (#"{"unit":1,"id":"a","callURL":"u","periodStart":"yesterday","threshold":50,"usage":500}"#, "\"periodStart\": not an RFC 3339 date-time (expected 4 digits for the year at offset 0 (in \"yesterday\"))"),
        (#"{"unit":1,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":-1,"usage":500}"#, "\"threshold\" must be"),
        (#"{"unit":1,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":5.5}"#, "\"usage\" must be"),
        (#"{"unit":1,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":"500"}"#, "\"usage\" must be"),
        (#"{"unit":1,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500} x"#, "not valid JSON"),
    ])
    func rejectsWithReason(body: String, reason: String) {
        #expect {
            _ = try ZitadelNotification.parse(Array(body.utf8), receivedAt: 0)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test func rejectionNeverQuotesTheCallURL() {
        let body = #"{"unit":9,"id":"a","callURL":"https://x/zitadel/notifications/1/TOPSECRET","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#
        do {
            _ = try ZitadelNotification.parse(Array(body.utf8), receivedAt: 0)
            Issue.record("expected a rejection")
        } catch {
            #expect(!error.description.contains("TOPSECRET"))
        }
    }
}

/// Numbers and sizes from a notification body are range-checked exactly,
/// with the field and the accepted range in the answer; nothing traps.
@Suite struct NotificationLimitTests {
    static func body(unit: String = "1", id: String = #""a""#, periodStart: String = #""2026-11-01T00:00:00Z""#, threshold: String = "50", usage: String = "500") -> [UInt8] {
        Array(#"{"unit":\#(unit),"id":\#(id),"callURL":"u","periodStart":\#(periodStart),"threshold":\#(threshold),"usage":\#(usage)}"#.utf8)
    }

    static func rejection(_ body: [UInt8]) -> String? {
        do {
            _ = try ZitadelNotification.parse(body, receivedAt: 0)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("18446744073709551616", "field \"usage\" must be an integer from 0 to 18446744073709551615"),
        ("99999999999999999999999999999999", "field \"usage\" must be an integer from 0 to 18446744073709551615"),
        ("1e400", "field \"usage\" must be an integer from 0 to 18446744073709551615, without a fraction or exponent"),
        ("1e3", "field \"usage\" must be an integer from 0 to 18446744073709551615, without a fraction or exponent"),
        ("500.0", "field \"usage\" must be an integer from 0 to 18446744073709551615, without a fraction or exponent"),
        ("-1", "field \"usage\" must be an integer from 0 to 18446744073709551615"),
        ("-0", "field \"usage\" must be an integer from 0 to 18446744073709551615"),
        ("null", "field \"usage\" must be an integer from 0 to 18446744073709551615, found null"),
    ])
    func badUsage(usage: String, message: String) {
        #expect(Self.rejection(Self.body(usage: usage)) == message)
    }

    @Test func usageUpToTwoToTheSixtyFourIsKept() throws {
        let notification = try ZitadelNotification.parse(Self.body(usage: "18446744073709551615"), receivedAt: 0)
        #expect(notification.usage == UInt64.max)
    }

    @Test(arguments: ["-1", "9223372036854775808", "1e400", "50.5", "5e1", "\"50\""])
    func badThreshold(threshold: String) {
        #expect(Self.rejection(Self.body(threshold: threshold))?.hasPrefix("field \"threshold\" must be an integer from 0 to 9223372036854775807") == true)
    }

    @Test(arguments: ["1e400", "1.0", "-1", "99999999999999999999", "2147483648"])
    func badUnit(unit: String) {
        #expect(Self.rejection(Self.body(unit: unit))?.hasPrefix("field \"unit\" must be an integer from 0 to 2147483647") == true)
    }

    /// ICU trapped (SIGFPE) on a long fraction; now it is just rounded.
    @Test func longFractionInPeriodStartIsRounded() throws {
        let period = "\"2026-11-01T00:00:00." + String(repeating: "0", count: 50_000) + "1Z\""
        let notification = try ZitadelNotification.parse(Self.body(periodStart: period), receivedAt: 0)
        #expect(notification.periodStart == unixTime("2026-11-01T00:00:00Z"))
    }

    @Test func malformedPeriodStartNamesTheFieldAndQuotesAShortPrefix() {
        let period = "\"2026-11-31T00:00:00Z" + String(repeating: "x", count: 100) + "\""
        #expect(Self.rejection(Self.body(periodStart: period))
            == "field \"periodStart\": not an RFC 3339 date-time (unexpected text after the offset at offset 20 (in \"2026-11-31T00:00:00Zxxxxxxxxxxxx\"…))")
        #expect(Self.rejection(Self.body(periodStart: "\"2026-11-31T00:00:00Z\""))
            == "field \"periodStart\": not an RFC 3339 date-time (day 31 is not 01-30 in month 11 of 2026 (in \"2026-11-31T00:00:00Z\"))")
    }

    /// The cap counts UTF-8 bytes: 3 001 bytes in 1 grapheme cluster passed before.
    @Test func idCapCountsBytes() throws {
        let combining = "e" + String(repeating: "\u{301}", count: 1500)  // one grapheme, 3 001 bytes
        #expect(combining.count == 1)
        #expect(Self.rejection(Self.body(id: "\"\(combining)\"")) == "field \"id\" must be a non-empty string of at most 200 bytes")
        let twoHundredBytes = String(repeating: "é", count: 100)
        #expect(try ZitadelNotification.parse(Self.body(id: "\"\(twoHundredBytes)\""), receivedAt: 0).id == twoHundredBytes)
        #expect(Self.rejection(Self.body(id: "\"\(twoHundredBytes)a\"")) != nil)
    }
}
