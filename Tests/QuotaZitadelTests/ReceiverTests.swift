import Foundation
import QuotaCollection
import QuotaConfig
import QuotaLogging
import Testing
@testable import QuotaZitadel

@Suite(.serialized) struct ReceiverTests {
    static let secret = "0123456789abcdefXYZ-_"

    /// A receive-only instance with a known secret, on a real listener.
    func receiveOnly(_ harness: ProviderHarness, id: String = "inst1") throws -> [Target] {
        try harness.targets([#"{"url": "https://z.example", "instance_id": "\#(id)", "provisioning": false, "receiver_secret": "\#(Self.secret)", "quotas": [{"unit": "requests_all_authenticated", "amount": 1000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]}"#])
    }

    func payload(id: String = "n1", unit: Int = 1, usage: Int = 500, threshold: Int = 50) -> [UInt8] {
        Array(#"{"unit":\#(unit),"id":"\#(id)","callURL":"x","periodStart":"2026-11-01T00:00:00Z","threshold":\#(threshold),"usage":\#(usage)}"#.utf8)
    }

    func count(_ harness: ProviderHarness, _ outcome: String) -> String? {
        let family = harness.provider.extraFamilies().first { $0.name == "quota_exporter_zitadel_notifications_total" }
        return family?.samples.first { $0.labels.first?.value == outcome }.map { String(Int($0.value)) }
    }

    @Test func wrongMissingOrForeignSecretsAre404AndStoreNothing() async throws {
        let harness = try await ProviderHarness()
        await harness.provider.configurationApplied(try receiveOnly(harness))
        let base = harness.server.baseURL + ZitadelInstance.receiverPath
        for path in ["/inst1/wrong-secret-0123456789", "/inst1/", "/inst1", "", "/other/\(Self.secret)", "/inst1/\(Self.secret)/extra", "/inst1/\(Self.secret)x"] {
            do {
                let response = try await post(harness.http, base + path, body: payload())
                #expect(response.status == 404, "\(path)")
            } catch {
                Issue.record("POST \(path.isEmpty ? "(base path)" : path): \(error)")
            }
        }
        #expect(count(harness, "unauthorized") == "7")
        #expect(count(harness, "stored") == "0")
        #expect(try StateStore(path: harness.scratch.file("zitadel-state.json"), logger: .disabled).notifications(for: "inst1").isEmpty)
        #expect(!harness.logText.contains(Self.secret))
        #expect(harness.logText.contains("usage notification refused"))
        await harness.stop()
    }

    @Test func rightSecretStoresOnceAndAnswers200ForTheDuplicate() async throws {
        let harness = try await ProviderHarness()
        await harness.provider.configurationApplied(try receiveOnly(harness))
        let url = harness.server.baseURL + ZitadelInstance.receiverPath + "/inst1/" + Self.secret
        let first = try await post(harness.http, url, body: payload(id: "same"))
        let again = try await post(harness.http, url, body: payload(id: "same", usage: 999))
        #expect(first.status == 200)
        #expect(again.status == 200)
        #expect(String(decoding: again.body, as: UTF8.self) == "already stored\n")
        #expect(count(harness, "stored") == "1")
        #expect(count(harness, "duplicate") == "1")
        let stored = try StateStore(path: harness.scratch.file("zitadel-state.json"), logger: .disabled).notifications(for: "inst1")
        #expect(stored.map(\.usage) == [500])

        // The same rule reaching its next threshold is a new event, not a duplicate.
        let next = try await post(harness.http, url, body: payload(id: "same", usage: 1000, threshold: 100))
        #expect(next.status == 200)
        #expect(count(harness, "stored") == "2")
        await harness.stop()
    }

    @Test func aStoredNotificationShowsAtTheNextScrapeDespiteMinInterval() async throws {
        let scratch = try ScratchDirectory()
        let invalidations = TargetInvalidations()
        let provider = ZitadelProvider(
            context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter(), invalidations: invalidations),
            storagePath: scratch.path, timing: ProvisioningTiming(firstRetry: 0.05, maxRetry: 0.2), clock: { Date().timeIntervalSince1970 }
        )
        let server = try ProviderServer(routes: provider.routes)
        let json = #"{"zitadel": [{"url": "https://z.example", "instance_id": "inst1", "provisioning": false, "receiver_secret": "\#(Self.secret)", "quotas": [{"unit": "requests_all_authenticated", "amount": 1000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]}]}"#
        let entry = try ConfigObject.parse(Array(json.utf8), environment: .inMemory()).required("zitadel", .objects)[0]
        let targets = try provider.targets(from: entry, common: TargetCommon(settings: CollectionSettings(minInterval: 3600, maxStaleness: 7200, timeout: 10)))
        await provider.configurationApplied(targets)
        let cache = CollectionCache(targets: targets, invalidations: invalidations, logger: .disabled)

        let before = await cache.refresh(deadline: .now + .seconds(60))
        #expect(before.targets.first?.readings.first?.usage == 0)
        let period = RFC3339Text.format(QuotaPeriod.current(from: unixTime("2026-01-01T00:00:00Z"), resetInterval: 30 * 86_400, now: Date().timeIntervalSince1970).start)
        let body = #"{"unit":1,"id":"n-640","callURL":"x","periodStart":"\#(period)","threshold":60,"usage":640}"#
        let http = makeHTTPClient()
        #expect(try await post(http, server.baseURL + ZitadelInstance.receiverPath + "/inst1/" + Self.secret, body: Array(body.utf8)).status == 200)
        let after = await cache.refresh(deadline: .now + .seconds(60))
        #expect(after.targets.first?.readings.first?.usage == 640, "min_interval is an hour, yet the new usage shows at once")
        await provider.shutdown()
        await server.stop()
    }

    @Test func oversizedMalformedAndUnknownUnitBodiesAreRefusedWithAReason() async throws {
        let harness = try await ProviderHarness()
        await harness.provider.configurationApplied(try receiveOnly(harness))
        let url = harness.server.baseURL + ZitadelInstance.receiverPath + "/inst1/" + Self.secret

        var big = payload()
        big.removeLast()
        big += Array(#","padding":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: NotificationReceiver.maxBodyBytes) + Array(#""}"#.utf8)
        let tooLarge = try await post(harness.http, url, body: big)
        #expect(tooLarge.status == 413)

        let malformed = try await post(harness.http, url, body: Array(#"{"unit":1,"id":"#.utf8))
        #expect(malformed.status == 400)
        #expect(String(decoding: malformed.body, as: UTF8.self).hasPrefix("body is not valid JSON"))

        let unknownUnit = try await post(harness.http, url, body: payload(unit: 7))
        #expect(unknownUnit.status == 400)
        #expect(String(decoding: unknownUnit.body, as: UTF8.self).contains("unknown unit 7"))

        let missing = try await post(harness.http, url, body: Array(#"{"unit":1,"id":"a"}"#.utf8))
        #expect(missing.status == 400)
        #expect(String(decoding: missing.body, as: UTF8.self).contains("missing field \"callURL\""))

        #expect(count(harness, "too_large") == "1")
        #expect(count(harness, "invalid") == "3")
        #expect(count(harness, "stored") == "0")
        await harness.stop()
    }

    @Test func unwritableStateIsA500SoZitadelRetries() async throws {
        let harness = try await ProviderHarness()
        let targets = try harness.targets([#"{"url": "https://z.example", "instance_id": "inst1", "provisioning": false, "receiver_secret": "\#(Self.secret)", "state_file": "\#(harness.scratch.path)/missing-dir/state.json", "quotas": [{"unit": "requests_all_authenticated", "amount": 1000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]}"#])
        await harness.provider.configurationApplied(targets)
        let url = harness.server.baseURL + ZitadelInstance.receiverPath + "/inst1/" + Self.secret
        let response = try await post(harness.http, url, body: payload())
        #expect(response.status == 500)
        #expect(count(harness, "error") == "1")
        #expect(harness.logText.contains("cannot store usage notification"))
        await harness.stop()
    }

    @Test func stateAndGeneratedSecretSurviveARestart() async throws {
        let scratch = try ScratchDirectory()
        let fake = try FakeZitadel(publicKey: try await RSAKeyFixtures.get().rsa2048.publicKey)
        let first = try await ProviderHarness(fake: fake, scratch: scratch)
        let firstTargets = try first.targets([first.entry()])
        await first.provider.configurationApplied(firstTargets)
        #expect(await eventually { first.callURL() != nil })
        let callURL = try #require(first.callURL())
        let period = RFC3339Text.format(QuotaPeriod.current(from: unixTime("2026-01-01T00:00:00Z"), resetInterval: 30 * 86_400, now: Date().timeIntervalSince1970).start)
        #expect(try await fake.notify(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED", periodStart: period, threshold: 50, usage: 50_000, client: first.http) == [200])
        await first.provider.shutdown()
        await first.server.stop()

        // A new process: new provider, same state directory.
        let second = try await ProviderHarness(fake: fake, scratch: scratch)
        let targets = try second.targets([second.entry()])
        let (_, text) = await second.scrape(targets)
        #expect(samples(text, "quota_usage").contains(#"quota_usage{provider="zitadel",account="inst1",quota="requests_all_authenticated",unit="requests"} 50000"#))
        // Same secret, so the callUrl ZITADEL holds stays valid (only the port of this test listener moved).
        let secret = String(callURL.split(separator: "/").last!)
        await second.provider.configurationApplied(targets)
        let last = second.provider.extraFamilies().first { $0.name == "quota_exporter_zitadel_last_notification_timestamp_seconds" }
        #expect(last?.samples.count == 1)
        #expect(await eventually { second.callURL()?.hasSuffix("/inst1/" + secret) == true && second.callURL()?.hasPrefix(second.server.baseURL) == true })
        await second.stop()
    }
}
