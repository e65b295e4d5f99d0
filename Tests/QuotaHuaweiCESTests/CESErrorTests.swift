import Foundation
import QuotaCollection
import QuotaHTTP
import Testing

private let health = #"provider="huaweicloud_ces",account="\#(FakeHuaweiCloud.projectID)",collector="ces_quotas""#

@Suite("CES errors: reason label, Huawei's words in the log, no secrets")
struct CESErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var reason: String
        var code: String
        var headers: [String: String] = [:]
        var testDescription: String { "HTTP \(status) → \(reason)" }
    }

    static let cases: [Case] = [
        Case(status: 400, reason: "api_error", code: "ces.0014"),
        Case(status: 401, reason: "auth", code: "APIGW.0301"),
        Case(status: 403, reason: "auth", code: "ces.0015"),
        Case(status: 408, reason: "timeout", code: "APIGW.0201"),
        Case(status: 429, reason: "rate_limited", code: "APIGW.0308", headers: ["Retry-After": "7"]),
        Case(status: 500, reason: "http", code: "ces.0500"),
        Case(status: 503, reason: "http", code: "ces.0503"),
    ]

    @Test("each documented status", arguments: cases)
    func documentedStatus(_ testCase: Case) async throws {
        try await Harness.run { harness in
            let body = try #require(Fixtures.errorBodies[testCase.status])
            let scripted = FakeHuaweiCloud.Scripted(status: testCase.status, body: body, headers: HTTPHeaders(testCase.headers.map { (name: $0.key, value: $0.value) }))
            harness.fake.scriptCES(scripted, scripted, scripted)
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines.contains(#"quota_exporter_collector_up{\#(health)} 0"#))
            #expect(lines.filter { $0.hasPrefix("quota_exporter_collector_errors_total") } == errorLines(failed: testCase.reason))
            #expect(!lines.contains { $0.hasPrefix("quota_limit") })

            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            let json = try #require(try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
            #expect(failure.contains("reason=\(testCase.reason)"))
            #expect(failure.contains("status=\(testCase.status)"))
            #expect(failure.contains(testCase.code))
            #expect(failure.contains(json["error_msg"]!))
            #expect(failure.contains("request id req-\(testCase.status)-0001"))
            if testCase.status == 429 {
                #expect(failure.contains("Retry-After: 7"))
            }
            if testCase.status == 500 {
                #expect(harness.fake.cesRequests.count == 3, "a 5xx is retried twice")
            }
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    /// The refusals while a key is paused used to say "until <t>
    /// (Retry-After)" even when CES sent none and the default applied.
    @Test("a 429 without Retry-After: the pause says it is the default, and is logged once")
    func throttledWithoutRetryAfter() async throws {
        try await Harness.run { harness in
            let throttled = FakeHuaweiCloud.Scripted(status: 429, body: try #require(Fixtures.errorBodies[429]))
            harness.fake.scriptCES(throttled)
            let targets = try harness.targets(harness.accessKeyEntry())
            _ = await harness.samples(targets)
            let start = try #require(harness.logs.lines.first { $0.contains("pausing calls with this credential") })
            #expect(start.contains("level=warn"))
            #expect(start.contains("APIGW.0308"))
            #expect(start.contains("pause_from=default"))
            #expect(start.contains("pause=60s"))
            #expect(!start.contains("Retry-After:"))

            // A new scrape (a fresh cache: the target is due) is refused by the provider's pause.
            let lines = await harness.samples(targets)
            #expect(harness.fake.cesRequests.count == 1, "no call while the key is paused")
            #expect(lines.contains(#"quota_exporter_collector_errors_total{\#(health),reason="rate_limited"} 1"#))
            let refusal = try #require(harness.logs.lines.last { $0.contains("not calling huaweicloud_ces") })
            #expect(refusal.contains("level=debug"), "counted, not logged again: \(refusal)")
            #expect(refusal.contains("(no Retry-After; default pause 60s)"))
            #expect(!refusal.contains("(Retry-After)"))
            #expect(harness.logs.lines.filter { $0.contains("level=warn") }.count == 1)
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("a wrong secret key is rejected by the fake's signature check with API Gateway's error")
    func wrongSecretKey() async throws {
        try await Harness.run { harness in
            let entry = harness.accessKeyEntry().replacingOccurrences(of: "${HW_SK}", with: "not-the-secret-key")
            let lines = await harness.samples(try harness.targets(entry))
            #expect(lines.filter { $0.hasPrefix("quota_exporter_collector_errors_total") } == errorLines(failed: "auth"))
            #expect(harness.fake.rejections == [.signatureMismatch])
            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            #expect(failure.contains("CES answered HTTP 401: APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail"))
            #expect(!harness.logs.lines.contains { $0.contains("not-the-secret-key") })
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("an X-Sdk-Date 20 minutes off is refused")
    func dateSkew() async throws {
        let skewed = ManualClock(Date().addingTimeInterval(-20 * 60))
        try await Harness.run(clock: skewed, fakeClock: ManualClock()) { harness in
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines.contains(#"quota_exporter_collector_errors_total{\#(health),reason="auth"} 1"#))
            #expect(harness.fake.rejections == [.dateSkew])
        }
    }

    @Test("a 200 that is not the documented JSON is a decode error")
    func undecodableSuccess() async throws {
        try await Harness.run { harness in
            harness.fake.quotasBody = #"{"quotas":{}}"#
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines.contains(#"quota_exporter_collector_errors_total{\#(health),reason="decode"} 1"#))
            #expect(harness.logs.lines.contains { $0.contains("CES quotas response has no quotas.resources array") })
        }
    }

    @Test("a non-JSON error page is quoted briefly on one line")
    func plainTextError() async throws {
        try await Harness.run { harness in
            harness.fake.scriptCES(FakeHuaweiCloud.Scripted(status: 404, body: "<html>\nNot Found\n</html>"))
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines.contains(#"quota_exporter_collector_errors_total{\#(health),reason="http"} 1"#))
            #expect(harness.logs.lines.contains { $0.contains("CES answered HTTP 404: <html> Not Found </html>") })
        }
    }

    @Test("an error body that echoes the secrets back is logged with them redacted")
    func echoedSecretsAreRedacted() async throws {
        try await Harness.run { harness in
            let echo = #"{"error_code":"APIGW.0101","error_msg":"proxy saw sk=\#(FakeHuaweiCloud.secretKey) token=\#(FakeHuaweiCloud.securityToken)"}"#
            harness.fake.scriptCES(FakeHuaweiCloud.Scripted(status: 400, body: echo))
            _ = await harness.samples(try harness.targets(harness.accessKeyEntry(#","security_token_file":"/run/secrets/sts""#)))
            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            #expect(failure.contains("proxy saw sk=<redacted> token=<redacted>"))
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    /// Redacted before the message is cut to length: a secret straddling
    /// the cut must not survive as a prefix.
    @Test("a secret echoed across the length cap is still redacted")
    func secretAcrossTheCapIsRedacted() async throws {
        try await Harness.run { harness in
            let padding = String(repeating: "x", count: 290)  // the cap is 300 characters
            let echo = #"{"error_code":"APIGW.0101","error_msg":"\#(padding)\#(FakeHuaweiCloud.secretKey)"}"#
            harness.fake.scriptCES(FakeHuaweiCloud.Scripted(status: 400, body: echo))
            _ = await harness.samples(try harness.targets(harness.accessKeyEntry(#","security_token_file":"/run/secrets/sts""#)))
            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            #expect(failure.contains(padding + "<redacted>"), "\(failure)")
            #expect(!failure.contains(FakeHuaweiCloud.secretKey.prefix(8)))
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    /// So is the access-key signature, replayable while its date is fresh.
    @Test("a request signature echoed by CES is redacted")
    func echoedSignatureIsRedacted() async throws {
        try await Harness.run { harness in
            harness.fake.echoAuthorizationInCESErrors = true
            _ = await harness.samples(try harness.targets(harness.accessKeyEntry(#","security_token_file":"/run/secrets/sts""#)))
            let authorization = try #require(harness.fake.cesRequests.first?.headers["Authorization"])
            let signature = try #require(authorization.components(separatedBy: "Signature=").last)
            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            #expect(failure.contains("you sent <redacted>"), "\(failure)")
            #expect(!failure.contains(signature))
        }
    }

    /// The IAM token sent to CES is a secret too.
    @Test("an IAM token echoed by CES is redacted")
    func echoedIAMTokenIsRedacted() async throws {
        try await Harness.run { harness in
            let echo = #"{"error_code":"CES.0001","error_msg":"bad X-Auth-Token token-1 for this project"}"#
            harness.fake.scriptCES(FakeHuaweiCloud.Scripted(status: 400, body: echo))
            _ = await harness.samples(try harness.targets(harness.iamEntry()))
            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            #expect(failure.contains("bad X-Auth-Token <redacted> for this project"), "\(failure)")
        }
    }

    @Test("debug logs name the signed headers but never the signature or keys")
    func debugLogHasNoSignature() async throws {
        try await Harness.run { harness in
            _ = await harness.samples(try harness.targets(harness.accessKeyEntry(#","security_token_file":"/run/secrets/sts""#)))
            let call = try #require(harness.logs.lines.first { $0.contains("calling CES") })
            #expect(call.contains("signed_headers=host;x-project-id;x-sdk-date;x-security-token"))
            let authorization = try #require(harness.fake.cesRequests.first?.headers["Authorization"])
            let signature = try #require(authorization.components(separatedBy: "Signature=").last)
            #expect(!harness.logs.lines.contains { $0.contains(signature) })
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("API Gateway codes decide over the status; nested error bodies are read too", arguments: [
        (400, #"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#, "auth", "APIGW.0301: Incorrect IAM authentication information"),
        (403, #"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}"#, "rate_limited", "APIGW.0308"),
        (409, #"{"error":{"code":"ces.0018","message":"Conflict in quota state"}}"#, "api_error", "ces.0018: Conflict in quota state"),
        (404, "", "http", "CES answered HTTP 404 (request id"),
    ])
    func reasonMapping(status: Int, body: String, reason: String, message: String) async throws {
        try await Harness.run { harness in
            harness.fake.scriptCES(FakeHuaweiCloud.Scripted(status: status, body: body))
            let lines = await harness.samples(try harness.targets(harness.accessKeyEntry()))
            #expect(lines.filter { $0.hasPrefix("quota_exporter_collector_errors_total") } == errorLines(failed: reason))
            #expect(harness.logs.lines.contains { $0.contains("collection failed") && $0.contains(message) })
        }
    }
}
