import QuotaCollection
import QuotaConfig
import Testing

@testable import QuotaCloudflare

/// Numbers and timestamps in Cloudflare's `result` are range-checked with
/// an error naming the field; nothing reaches Foundation's date parser.
@Suite struct ResultFieldsTests {
    static func fields(_ json: String) throws -> ResultFields {
        try #require(ResultFields(try JSONValue.parse(Array(json.utf8)), path: "result"))
    }

    static func failure(_ read: () throws -> Any?) -> String? {
        do {
            _ = try read()
            return nil
        } catch {
            return (error as? CollectorError)?.message ?? "\(error)"
        }
    }

    @Test func overflowingNumbersAreErrorsNotGaps() throws {
        let result = try Self.fields(#"{"quota": 1e400, "quota_usage": 5}"#)
        #expect(Self.failure { try DEXCommandsQuota.readings(from: result) }
            == #"result.quota: number "1e400" is out of range"#)
        let long = try Self.fields(#"{"quota": 1\#(String(repeating: "0", count: 400))}"#)
        #expect(Self.failure { try long.number("quota") } == #"result.quota: number "100000000000"… (401 characters) is out of range"#)
    }

    @Test func countsAndAmountsMustNotBeNegative() throws {
        #expect(Self.failure { try DEXCommandsQuota.readings(from: try Self.fields(#"{"quota": 5, "quota_usage": -1}"#)) }
            == #"result.quota_usage: expected a number of at least 0, found "-1.0""#)
        #expect(Self.failure {
            try AIGatewaySpendingLimit.readings(from: try Self.fields(#"{"config": {"amount": -100}}"#))
        } == #"result.config.amount: expected a number of at least 0, found "-100.0""#)
        let readings = try DEXCommandsQuota.readings(from: try Self.fields(#"{"quota": 1.7e308, "quota_usage": 1.7e308}"#))
        #expect(readings.first?.limit == nil, "a sum beyond Double is left out, not +Inf")
    }

    /// A long fraction trapped inside ICU (SIGFPE); it is rounded now.
    @Test func timestampsWithLongFractionsAreRounded() throws {
        let fraction = "117" + String(repeating: "9", count: 10_000)
        let readings = try DEXCommandsQuota.readings(from: try Self.fields(#"{"reset_time": "2019-12-27T18:11:19.\#(fraction)Z"}"#))
        #expect(readings.first?.resetTimestamp == 1_577_470_279.118)
        let builds = try WorkersBuildsLimits.readings(from: try Self.fields(#"{"build_minutes_refresh_on": "2026-06-01T00:00:00.\#(fraction)+02:00"}"#))
        #expect(builds.first?.resetTimestamp == 1_780_264_800.118)
    }

    @Test func malformedTimestampsNameTheFieldAndQuoteAShortPrefix() throws {
        let secret = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY0123456789"
        #expect(Self.failure { try WorkersBuildsLimits.readings(from: try Self.fields(#"{"build_minutes_refresh_on": "\#(secret)"}"#)) }
            == #"result.build_minutes_refresh_on: not an RFC 3339 date-time (expected 4 digits for the year at offset 0 (in "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQ"…))"#)
        #expect(Self.failure { try DEXCommandsQuota.readings(from: try Self.fields(#"{"reset_time": "2026-02-30T00:00:00Z"}"#)) }
            == #"result.reset_time: not an RFC 3339 date-time (day 30 is not 01-28 in month 02 of 2026 (in "2026-02-30T00:00:00Z"))"#)
    }
}
