import Foundation
import QuotaCollection
import QuotaConfig
import Testing

@Suite("IAM token: issue, cache, renew, refetch once on 401")
struct IAMTokenTests {
    @Test("one token serves many collections, and survives a reload")
    func tokenIsCached() async throws {
        try await Harness.run(clock: ManualClock()) { harness in
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            _ = try await collector.collect()
            _ = try await collector.collect()
            // A reload builds new targets from the same provider.
            let reloaded = try #require(try harness.targets(harness.iamEntry()).first).collector
            _ = try await reloaded.collect()
            #expect(harness.fake.iamRequests.count == 1)
            #expect(harness.fake.cesRequests.map { $0.headers["X-Auth-Token"] } == ["token-1", "token-1", "token-1"])
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("the token request is the documented password body, project-scoped")
    func requestBody() async throws {
        try await Harness.run { harness in
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            _ = try await collector.collect()
            let request = try #require(harness.fake.iamRequests.first)
            let body = try JSONValue.parse(request.body)
            let expected: JSONValue = [
                "auth": [
                    "identity": ["methods": ["password"], "password": ["user": [
                        "name": .string(FakeHuaweiCloud.user), "password": .string(FakeHuaweiCloud.password),
                        "domain": ["name": .string(FakeHuaweiCloud.domain)],
                    ]]],
                    "scope": ["project": ["id": .string(FakeHuaweiCloud.projectID)]],
                ],
            ]
            #expect(body == expected)
            #expect(request.headers["Content-Type"]?.hasPrefix("application/json") == true)
        }
    }

    @Test("renewed an hour before it expires, not earlier")
    func renewedBeforeExpiry() async throws {
        let clock = ManualClock()
        try await Harness.run(clock: clock) { harness in
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            _ = try await collector.collect()
            clock.advance(22 * 3600 + 59 * 60)
            _ = try await collector.collect()
            #expect(harness.fake.iamRequests.count == 1)
            clock.advance(2 * 60)
            _ = try await collector.collect()
            #expect(harness.fake.iamRequests.count == 2)
            #expect(harness.fake.cesRequests.map { $0.headers["X-Auth-Token"] } == ["token-1", "token-1", "token-2"])
        }
    }

    @Test("short-lived tokens are renewed at half their lifetime")
    func shortLivedToken() async throws {
        let clock = ManualClock()
        try await Harness.run(clock: clock) { harness in
            harness.fake.tokenLifetime = 20 * 60
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            _ = try await collector.collect()
            clock.advance(9 * 60)
            _ = try await collector.collect()
            #expect(harness.fake.iamRequests.count == 1)
            clock.advance(2 * 60)
            _ = try await collector.collect()
            #expect(harness.fake.iamRequests.count == 2)
        }
    }

    @Test("a revoked token: CES 401, one new token, one retry, success")
    func refetchOnceOn401() async throws {
        try await Harness.run { harness in
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            _ = try await collector.collect()
            harness.fake.revoke("token-1")
            let readings = try await collector.collect()
            #expect(readings.map(\.quota) == ["ces_alarm"])
            #expect(harness.fake.iamRequests.count == 2)
            #expect(harness.fake.cesRequests.map { $0.headers["X-Auth-Token"] } == ["token-1", "token-1", "token-2"])
            #expect(harness.logs.lines.contains { $0.contains("CES rejected the IAM token") })
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("a 401 with the new token too fails as auth after exactly one retry")
    func onlyOneRetry() async throws {
        try await Harness.run { harness in
            let unauthorized = FakeHuaweiCloud.Scripted(status: 401, body: Fixtures.tokenInvalid)
            harness.fake.scriptCES(unauthorized, unauthorized, unauthorized, unauthorized)
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            await #expect(throws: CollectorError.self) { try await collector.collect() }
            do throws(CollectorError) {
                _ = try await collector.collect()
                Issue.record("expected a failure")
            } catch {
                #expect(error.reason == .auth)
                #expect(error.message.contains("APIGW.0301: Incorrect IAM authentication information: decrypt token fail"))
            }
            // Two collections, each: one request, one new token, one retry.
            #expect(harness.fake.cesRequests.count == 4)
            #expect(harness.fake.iamRequests.count == 3)
        }
    }

    @Test("concurrent collections share one token request")
    func singleFlight() async throws {
        try await Harness.run { harness in
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            async let first = collector.collect()
            async let second = collector.collect()
            async let third = collector.collect()
            _ = try await [first, second, third]
            #expect(harness.fake.iamRequests.count == 1)
        }
    }

    @Test("a wrong password fails as auth with IAM's message and without the password")
    func wrongPassword() async throws {
        try await Harness.run { harness in
            harness.fake.scriptIAM(FakeHuaweiCloud.Scripted(status: 401, body: Fixtures.iamWrongPassword))
            let lines = await harness.samples(try harness.targets(harness.iamEntry()))
            #expect(lines.filter { $0.hasPrefix("quota_exporter_collector_errors_total") } == errorLines(failed: "auth"))
            let failure = try #require(harness.logs.lines.first { $0.contains("collection failed") })
            #expect(failure.contains(#"token request for user \"quota-reader\" of domain \"acme-domain\": IAM answered HTTP 401: 401: The username or password is wrong."#))
            #expect(harness.fake.cesRequests.isEmpty)
            #expect(harness.leakedLines.isEmpty, "\(harness.leakedLines)")
        }
    }

    @Test("a failed token request is not cached: the next collection asks again")
    func failureNotCached() async throws {
        try await Harness.run { harness in
            harness.fake.scriptIAM(FakeHuaweiCloud.Scripted(status: 500, body: #"{"error_msg":"busy","error_code":"IAM.0001"}"#))
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            await #expect(throws: CollectorError.self) { try await collector.collect() }
            _ = try await collector.collect()
            #expect(harness.fake.iamRequests.count == 2)
        }
    }

    @Test("IAM answering without X-Subject-Token is a decode error")
    func missingSubjectToken() async throws {
        try await Harness.run { harness in
            harness.fake.scriptIAM(FakeHuaweiCloud.Scripted(status: 201, body: #"{"token":{"expires_at":"2030-01-01T00:00:00.000000Z"}}"#))
            let collector = try #require(try harness.targets(harness.iamEntry()).first).collector
            do throws(CollectorError) {
                _ = try await collector.collect()
                Issue.record("expected a failure")
            } catch {
                #expect(error.reason == .decode)
                #expect(error.message.contains("without an X-Subject-Token header"))
            }
        }
    }
}
