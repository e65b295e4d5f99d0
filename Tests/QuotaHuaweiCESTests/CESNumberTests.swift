import Foundation
import QuotaCollection
import QuotaConfig
import QuotaLogging
import Testing

@testable import QuotaHuaweiCES

/// Numbers in the CES answer and the IAM answer are range-checked with an
/// error naming the field; nothing traps and no label carries a huge literal.
@Suite struct CESNumberTests {
    static func failure(_ body: String) -> String? {
        do {
            _ = try CESQuotaResponse.readings(Array(body.utf8), region: "r", logger: .disabled)
            return nil
        } catch {
            return error.message
        }
    }

    static func resources(_ resource: String) -> String {
        #"{"quotas": {"resources": [{"type": "alarm", "used": 1, "quota": 10}, \#(resource)]}}"#
    }

    @Test(arguments: [
        (#"{"type": "t", "used": 1e400}"#, #"quotas.resources[1].used: number "1e400" is out of range"#),
        (#"{"type": "t", "used": "10"}"#, "quotas.resources[1].used: expected a number, found a string"),
        (#"{"type": "t", "used": -1}"#, #"quotas.resources[1].used: expected a number of at least 0, found "-1.0""#),
        (#"{"type": "t", "quota": -1e999}"#, #"quotas.resources[1].quota: number "-1e999" is out of range"#),
        (#"{"type": "t", "max": 1\#(String(repeating: "0", count: 5000))}"#, #"quotas.resources[1].max: number "100000000000"… (5001 characters) is out of range"#),
        (#"{"type": "t", "min": true}"#, "quotas.resources[1].min: expected a number, found a boolean"),
    ])
    func badNumbers(resource: String, message: String) {
        #expect(Self.failure(Self.resources(resource)) == message)
    }

    @Test func minAndMaxLabelsAreWrittenFromTheParsedValue() throws {
        let body = Self.resources(#"{"type": "t", "used": 2, "quota": 5, "min": 0, "max": 2000.5, "unit": ""}"#)
        let readings = try CESQuotaResponse.readings(Array(body.utf8), region: "r", logger: .disabled)
        #expect(readings[1].info.map(\.value) == ["0", "2000.5"])
        #expect(readings[1].remaining == 3)
        // Null means absent, as before.
        let nulls = Self.resources(#"{"type": "t", "used": null, "quota": null}"#)
        #expect(try CESQuotaResponse.readings(Array(nulls.utf8), region: "r", logger: .disabled)[1].usage == nil)
    }

    @Test func iamExpiryIsParsedStrictly() throws {
        func expiry(_ json: String) throws -> Double? {
            try IAMTokenClient.expiry(Array(json.utf8))
        }
        #expect(try expiry(#"{"token": {"expires_at": "2026-12-02T21:00:00.000000Z"}}"#) == 1_796_245_200)
        #expect(try expiry(#"{"token": {"expires_at": "2026-12-02T21:00:00.\#(String(repeating: "0", count: 20_000))Z"}}"#) == 1_796_245_200)
        #expect(try expiry(#"{"token": {}}"#) == nil)
        #expect(try expiry("not json") == nil)
        #expect(throws: CollectorError(.decode, #"IAM answer: token.expires_at: not an RFC 3339 date-time (month 13 is not 01-12 (in "2026-13-02T21:00:00Z"))"#)) {
            try expiry(#"{"token": {"expires_at": "2026-13-02T21:00:00Z"}}"#)
        }
        #expect(throws: CollectorError(.decode, "IAM answer: token.expires_at: expected a string, found a number")) {
            try expiry(#"{"token": {"expires_at": 1e400}}"#)
        }
    }

    @Test func errorBodyTextIsCapped() throws {
        let long = String(repeating: "m", count: 10_000)
        let body = try #require(HuaweiErrorBody.parse(Array(#"{"error_code": \#(String(repeating: "9", count: 1000)), "error_msg": "\#(long)"}"#.utf8)))
        #expect(body.code?.count == HuaweiErrorBody.maxCodeLength + 1)
        #expect(body.message?.count == HuaweiErrorBody.maxMessageLength + 1)
        #expect(body.message?.hasSuffix("…") == true)
    }
}
