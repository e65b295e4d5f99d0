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
        (#"{"unit":"1","id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "\"unit\" must be an integer"),
        (#"{"unit":3,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "unknown unit 3"),
        (#"{"unit":0,"id":"a","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "unknown unit 0"),
        (#"{"unit":1,"id":"","callURL":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "\"id\" must be"),
        (#"{"unit":1,"id":"a","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "missing field \"callURL\""),
        (#"{"unit":1,"id":"a","callUrl":"u","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}"#, "missing field \"callURL\""),
        (#"{"unit":1,"id":"a","callURL":"u","periodStart":"yesterday","threshold":50,"usage":500}"#, "\"periodStart\" must be"),
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
