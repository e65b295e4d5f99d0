import Foundation
import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaCrypto
import Testing
@testable import QuotaZitadel

@Suite(.serialized) struct ProvisioningTests {
    @Test func setsQuotasWithSetQuotaAndReceivesTheNotificationsZitadelSends() async throws {
        let harness = try await ProviderHarness()
        let targets = try harness.targets([harness.entry()])
        await harness.provider.configurationApplied(targets)
        #expect(await eventually { harness.callURL(unit: "UNIT_ACTIONS_ALL_RUN_SECONDS") != nil && harness.callURL() != nil })

        let calls = harness.fake.calls
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0.method == "PUT" && $0.path == "/system/v1/instances/inst1/quotas" && $0.authenticated })
        let secret = try #require(try StateStore(path: harness.scratch.file("zitadel-state.json"), logger: .disabled).existingReceiverSecret(for: "inst1"))
        let callURL = "\(harness.server.baseURL)/zitadel/notifications/inst1/\(secret)"
        let requests = try #require(harness.fake.quota(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED"))
        #expect(requests.serialized() == #"{"unit":"UNIT_REQUESTS_ALL_AUTHENTICATED","from":"2026-01-01T00:00:00Z","resetInterval":"2592000s","amount":100000,"limit":true,"notifications":[{"percent":50,"repeat":true,"callUrl":"\#(callURL)"}]}"#)

        let now = Date().timeIntervalSince1970
        let period = QuotaPeriod.current(from: unixTime("2026-01-01T00:00:00Z"), resetInterval: 30 * 86_400, now: now)
        let periodText = RFC3339Text.format(period.start)
        #expect(try await harness.fake.notify(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED", periodStart: periodText, threshold: 50, usage: 50_000, client: harness.http) == [200])
        #expect(try await harness.fake.notify(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED", periodStart: periodText, threshold: 100, usage: 100_000, client: harness.http) == [200])

        let (snapshot, text) = await harness.scrape(targets)
        let labels = #"provider="zitadel",account="inst1",quota="requests_all_authenticated",unit="requests""#
        let actions = #"provider="zitadel",account="inst1",quota="actions_all_run_seconds",unit="seconds""#
        let day = QuotaPeriod.current(from: unixTime("2026-01-01T00:00:00Z"), resetInterval: 86_400, now: now)
        #expect(samples(text, "quota_limit") == ["quota_limit{\(actions)} 3600", "quota_limit{\(labels)} 100000"])
        #expect(samples(text, "quota_usage") == ["quota_usage{\(actions)} 0", "quota_usage{\(labels)} 100000"])
        #expect(samples(text, "quota_remaining") == ["quota_remaining{\(actions)} 3600", "quota_remaining{\(labels)} 0"])
        #expect(samples(text, "quota_exhausted") == ["quota_exhausted{\(actions)} 0", "quota_exhausted{\(labels)} 1"])
        #expect(samples(text, "quota_enforced") == ["quota_enforced{\(actions)} 0", "quota_enforced{\(labels)} 1"])
        #expect(samples(text, "quota_period_start_timestamp_seconds") == [
            "quota_period_start_timestamp_seconds{\(actions)} \(value(day.start))",
            "quota_period_start_timestamp_seconds{\(labels)} \(value(period.start))",
        ])
        #expect(samples(text, "quota_reset_timestamp_seconds") == [
            "quota_reset_timestamp_seconds{\(actions)} \(value(day.end))",
            "quota_reset_timestamp_seconds{\(labels)} \(value(period.end))",
        ])
        #expect(samples(text, "quota_exporter_collector_up") == [
            #"quota_exporter_collector_up{provider="zitadel",account="inst1",collector="provisioning"} 1"#,
            #"quota_exporter_collector_up{provider="zitadel",account="inst1",collector="quotas"} 1"#,
        ])
        #expect(samples(text, "quota_exporter_zitadel_notifications_total").contains(#"quota_exporter_zitadel_notifications_total{outcome="stored"} 2"#))
        #expect(samples(text, "quota_exporter_zitadel_last_notification_timestamp_seconds").count == 1)
        #expect(harness.status(snapshot, "provisioning")?.readings.isEmpty == true)
        #expect(!text.contains(secret))
        #expect(!harness.logText.contains(secret))
        #expect(harness.logText.contains("usage notification stored"))
        await harness.stop()
    }

    @Test func oldServerWithoutSetQuotaFallsBackToAddQuotaAndAlreadyExistsIsSuccess() async throws {
        let now = Locked(Date().timeIntervalSince1970)
        let harness = try await ProviderHarness(timing: ProvisioningTiming(firstRetry: 0.05, maxRetry: 0.2, now: { now.current }))
        harness.fake.setLegacy(true)
        let targets = try harness.targets([harness.entry()])
        let provisioning = try #require(targets.first { $0.identity.collector == "provisioning" })

        // No loop started (as with --once): each collection provisions once.
        #expect(try await provisioning.collector.collect().isEmpty)
        // The first quota finds out; the second goes straight to AddQuota.
        #expect(harness.fake.calls.map(\.method) == ["PUT", "POST", "POST"])
        #expect(harness.callURL() != nil)

        // Remembered: no more PUTs, and AlreadyExists counts as in place.
        #expect(try await provisioning.collector.collect().isEmpty)
        #expect(harness.fake.calls.map(\.method) == ["PUT", "POST", "POST", "POST", "POST"])
        #expect(harness.logText.contains("falling back to AddQuota"))
        // Left as it is: said once per quota, not at every reapply.
        _ = try await provisioning.collector.collect()
        #expect(harness.logText.components(separatedBy: "no SetQuota to update it").count - 1 == 2)
        #expect(harness.logText.contains("unit=requests_all_authenticated"))

        // An hour later SetQuota is tried again, and an upgraded ZITADEL is used as such.
        harness.fake.setLegacy(false)
        now.withLock { $0 += ProvisioningTiming().legacyRecheck + 1 }
        #expect(try await provisioning.collector.collect().isEmpty)
        #expect(harness.fake.calls.suffix(2).map(\.method) == ["PUT", "PUT"])
        await harness.stop()
    }

    /// grpc-gateway answers 409 for Aborted as well: only AlreadyExists (or
    /// a 409 naming no code) means the quota is there.
    @Test func conflictOtherThanAlreadyExistsIsAnError() async throws {
        let harness = try await ProviderHarness()
        harness.fake.setLegacy(true)
        harness.fake.setFailure((409, #"{"code":10,"message":"Errors.Aborted","details":[]}"#), method: "POST")
        let targets = try harness.targets([harness.entry()])
        let provisioning = try #require(targets.first { $0.identity.collector == "provisioning" })
        await #expect {
            _ = try await provisioning.collector.collect()
        } throws: { error in
            (error as? CollectorError)?.message.contains("AddQuota requests_all_authenticated: Errors.Aborted") == true
        }
        await harness.stop()
    }

    @Test func failureShowsInCollectorUpWithZitadelsMessageAndIsRetriedUntilItWorks() async throws {
        let harness = try await ProviderHarness()
        harness.fake.setFailure((400, #"{"code":3,"message":"Errors.Quota.Invalid.ResetInterval","details":[]}"#))
        let targets = try harness.targets([harness.entry()])
        await harness.provider.configurationApplied(targets)

        let (snapshot, text) = await harness.scrape(targets)
        let status = try #require(harness.status(snapshot, "provisioning"))
        #expect(status.up == false)
        #expect(status.lastError?.reason == .apiError)
        #expect(status.lastError?.statusCode == 400)
        #expect(status.lastError?.message.hasPrefix("SetQuota requests_all_authenticated: Errors.Quota.Invalid.ResetInterval (gRPC InvalidArgument)") == true)
        #expect(status.lastError?.message.contains("and 1 more") == true)
        #expect(samples(text, "quota_exporter_collector_errors_total").contains(#"quota_exporter_collector_errors_total{provider="zitadel",account="inst1",collector="provisioning",reason="api_error"} 1"#))
        // The quota readings do not depend on provisioning.
        #expect(harness.status(snapshot, "quotas")?.up == true)
        #expect(samples(text, "quota_limit").count == 2)

        // Retried with backoff; once ZITADEL accepts, the collector recovers.
        #expect(await eventually { harness.logText.contains("Errors.Quota.Invalid.ResetInterval") && harness.fake.calls.count >= 4 })
        harness.fake.setFailure(nil)
        #expect(await eventually { harness.callURL() != nil && harness.callURL(unit: "UNIT_ACTIONS_ALL_RUN_SECONDS") != nil })
        #expect(await eventually { await harness.scrape(targets).snapshot.targets.allSatisfy { $0.up == true } })
        #expect(harness.logText.contains("quota provisioning recovered"))
        await harness.stop()
    }

    /// Issue 12's rate-limit noise, for the provisioning loop: while the
    /// credential is paused after a 429 its retries are refused before
    /// they leave, and that is said once, not at every retry.
    @Test func aRateLimitPauseIsLoggedOnceNotAtEveryRetry() async throws {
        var settings = UpstreamClient.Settings()
        settings.defaultRateLimitBlock = 1.5
        let harness = try await ProviderHarness(timing: ProvisioningTiming(firstRetry: 0.05, maxRetry: 0.1), clientSettings: settings)
        harness.fake.setFailure((429, #"{"code":8,"message":"Errors.Quota.Exhausted.TooManyRequests","details":[]}"#))
        let targets = try harness.targets([harness.entry()])
        await harness.provider.configurationApplied(targets)
        @Sendable func refusals() -> [String] {
            harness.logText.split(separator: "\n").map(String.init).filter { $0.contains("quota provisioning failed") && $0.contains("rate_limited") }
        }
        // Retries every 0.1 s; well within the 1.5 s pause, several were refused.
        #expect(await eventually { refusals().count >= 5 })
        let failed = refusals()
        #expect(failed.filter { $0.contains("level=warn") }.count == 1, "one warn line for the pause: \(failed)")
        #expect(failed.first?.contains("level=warn") == true)
        #expect(failed.first?.contains("Errors.Quota.Exhausted.TooManyRequests") == true, "with ZITADEL's words")
        #expect(harness.fake.calls.count <= 2, "the refused retries never reached ZITADEL")
        await harness.stop()
    }

    @Test func wrongKeyIsAnAuthErrorWithZitadelsMessageAndNoSecretsInLogs() async throws {
        let keys = try await RSAKeyFixtures.get()
        // ZITADEL knows the 4096-bit key; the exporter signs with the 2048-bit one.
        let harness = try await ProviderHarness(fake: FakeZitadel(publicKey: keys.rsa4096.publicKey))
        let targets = try harness.targets([harness.entry()])
        let provisioning = try #require(targets.first { $0.identity.collector == "provisioning" })
        await #expect {
            _ = try await provisioning.collector.collect()
        } throws: { error in
            guard let error = error as? CollectorError else { return false }
            return error.reason == .auth && error.statusCode == 401 && error.message.contains("Errors.Token.Invalid")
        }
        #expect(harness.fake.calls.allSatisfy { !$0.authenticated })
        let secret = try #require(try StateStore(path: harness.scratch.file("zitadel-state.json"), logger: .disabled).existingReceiverSecret(for: "inst1"))
        for line in harness.sink.lines {
            #expect(!line.contains(secret))
            #expect(!line.contains("Bearer"))
            #expect(!line.contains("eyJ"))  // any JWT
            #expect(!line.contains("PRIVATE KEY"))
        }
        await harness.stop()
    }

    /// A server that echoes the request back must not get the bearer token
    /// or the receiver secret into the error, the log or the status page.
    @Test(arguments: [FakeZitadel.EchoStyle.jsonMessage, .plainText])
    func echoedRequestsAreRedacted(style: FakeZitadel.EchoStyle) async throws {
        let harness = try await ProviderHarness()
        harness.fake.setEcho(style)
        let targets = try harness.targets([harness.entry()])
        let provisioning = try #require(targets.first { $0.identity.collector == "provisioning" })
        var message = ""
        do {
            _ = try await provisioning.collector.collect()
        } catch {
            message = error.description
        }
        let secret = try #require(try StateStore(path: harness.scratch.file("zitadel-state.json"), logger: .disabled).existingReceiverSecret(for: "inst1"))
        #expect(message.contains("invalid request PUT /system/v1/instances/inst1/quotas"), "\(message)")
        #expect(message.contains("Authorization: <redacted>"), "\(message)")
        #expect(message.contains("/zitadel/notifications/inst1/<redacted>") || message.contains("<redacted>"), "\(message)")
        #expect(!message.contains(secret))
        #expect(!message.contains("eyJ"))  // any JWT
        #expect(!message.contains("Bearer"))
        await harness.provider.configurationApplied(targets)
        let (snapshot, _) = await harness.scrape(targets)
        let shown = try #require(harness.status(snapshot, "provisioning")?.lastError?.description)
        #expect(!shown.contains(secret) && !shown.contains("eyJ"), "\(shown)")
        #expect(await eventually { harness.logText.contains("invalid request") })
        #expect(!harness.logText.contains(secret) && !harness.logText.contains("eyJ"))
        await harness.stop()
    }

    /// A receiver secret from the configuration, echoed too.
    @Test func configuredReceiverSecretAndTokenFileAreRedacted() async throws {
        let scratch = try ScratchDirectory()
        let tokenPath = try scratch.write("token", "ready-made-token-0123456789\n")
        let harness = try await ProviderHarness(fake: FakeZitadel(publicKey: nil, staticToken: "ready-made-token-0123456789"), scratch: scratch)
        harness.fake.setEcho(.jsonMessage)
        let entry = harness.entry()
            .replacingOccurrences(of: #""system_user": "quota-exporter", "private_key_file": "\#(harness.keyPath)""#, with: #""token_file": "\#(tokenPath)", "receiver_secret": "configured-receiver-secret""#)
        let root = try ConfigObject.parse(Array(#"{"zitadel":[\#(entry)]}"#.utf8))
        let targets = try harness.provider.targets(from: try root.required("zitadel", .objects)[0], common: TargetCommon())
        let provisioning = try #require(targets.first { $0.identity.collector == "provisioning" })
        var message = ""
        do {
            _ = try await provisioning.collector.collect()
        } catch {
            message = error.description
        }
        #expect(message.contains("invalid request"), "\(message)")
        #expect(!message.contains("ready-made-token"), "\(message)")
        #expect(!message.contains("configured-receiver-secret"), "\(message)")
        await harness.stop()
    }

    @Test func tokenFileCredentialsAreSentAsTheyAre() async throws {
        let scratch = try ScratchDirectory()
        let tokenPath = try scratch.write("token", "ready-made-token\n")
        let harness = try await ProviderHarness(fake: FakeZitadel(publicKey: nil, staticToken: "ready-made-token"), scratch: scratch)
        let entry = harness.entry().replacingOccurrences(of: #""system_user": "quota-exporter", "private_key_file": "\#(harness.keyPath)""#, with: #""token_file": "\#(tokenPath)""#)
        let root = try ConfigObject.parse(Array(#"{"zitadel":[\#(entry)]}"#.utf8))
        let targets = try harness.provider.targets(from: try root.required("zitadel", .objects)[0], common: TargetCommon())
        let provisioning = try #require(targets.first { $0.identity.collector == "provisioning" })
        #expect(try await provisioning.collector.collect().isEmpty)
        #expect(harness.fake.calls.count == 2 && harness.fake.calls.allSatisfy { $0.authenticated })
        await harness.stop()
    }

    @Test func quotaRemovedInZitadelComesBackAtTheNextReapply() async throws {
        let harness = try await ProviderHarness()
        let targets = try harness.targets([harness.entry(extra: #", "reapply_interval": "1s""#)])
        await harness.provider.configurationApplied(targets)
        #expect(await eventually { harness.callURL() != nil })
        harness.fake.removeQuota(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED")
        #expect(harness.callURL() == nil)
        #expect(await eventually { harness.callURL() != nil })
        await harness.stop()
    }

    @Test func reloadReplacesLoopsAndReceivers() async throws {
        let harness = try await ProviderHarness()
        await harness.provider.configurationApplied(try harness.targets([harness.entry("inst1")]))
        #expect(await eventually { harness.callURL(instance: "inst1") != nil })
        let firstLoops = harness.provider.runningLoops
        #expect(firstLoops.count == 1)

        await harness.provider.configurationApplied(try harness.targets([harness.entry("inst2")]))
        #expect(await eventually { harness.callURL(instance: "inst2") != nil })
        #expect(firstLoops.allSatisfy { $0.isCancelled })
        #expect(harness.provider.runningLoops.count == 1)

        // inst1 is no longer configured: its callUrl is refused.
        let oldURL = try #require(harness.callURL(instance: "inst1"))
        #expect(try await post(harness.http, oldURL, body: Array(NotificationParsingTests.zitadelPayload.utf8)).status == 404)
        await harness.stop()
        #expect(harness.provider.runningLoops.isEmpty)
    }

    @Test func receiveOnlyNeverCallsZitadel() async throws {
        let harness = try await ProviderHarness()
        let entry = #"{"url": "\#(harness.fake.url)", "instance_id": "inst1", "provisioning": false, "receiver_secret": "0123456789abcdefXYZ", "quotas": [{"unit": "requests_all_authenticated", "amount": 10, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}]}"#
        let targets = try harness.targets([entry])
        await harness.provider.configurationApplied(targets)
        #expect(targets.map(\.identity.collector) == ["quotas"])
        let (_, text) = await harness.scrape(targets)
        #expect(samples(text, "quota_limit") == [#"quota_limit{provider="zitadel",account="inst1",quota="requests_all_authenticated",unit="requests"} 10"#])
        #expect(harness.fake.calls.isEmpty)
        await harness.stop()
    }
}
