import Foundation
import QuotaCollection
import QuotaConfig
import Testing
@testable import QuotaZitadel

/// Two replicas, one ZITADEL: every replica provisions the same list of
/// callUrls (one per replica) with one shared secret, so ZITADEL calls
/// each of them, and the replicas setting the quota in turn never change
/// what ZITADEL stores.
@Suite(.serialized) struct ReplicaProvisioningTests {
    static let secret = "shared-receiver-secret-0123456789"

    /// Replica 0 and replica 1 of one StatefulSet, each with its own state
    /// directory and receiver, against one fake ZITADEL.
    func replicas() async throws -> (ProviderHarness, ProviderHarness) {
        // Provisioning is called directly here, not through the retrying
        // loop: a fake that answers late under a loaded test run must not fail it.
        var patient = UpstreamClient.Settings()
        patient.requestTimeout = 60
        let first = try await ProviderHarness(replicas: 2, clientSettings: patient)
        let second = try await ProviderHarness(fake: first.fake, replicas: 2, clientSettings: patient)
        return (first, second)
    }

    func provisioning(_ harness: ProviderHarness, receivers: [String]) throws -> (all: [Target], provisioning: Target) {
        let targets = try harness.targets([harness.replicaEntry(receivers: receivers, secret: Self.secret)])
        return (targets, try #require(targets.first { $0.identity.collector == "provisioning" }))
    }

    @Test func bothReplicasSetOneListThatZitadelKeepsAndBothReceiveEveryNotification() async throws {
        let (first, second) = try await replicas()
        let receivers = [first.server.baseURL, second.server.baseURL]
        let a = try provisioning(first, receivers: receivers)
        let b = try provisioning(second, receivers: receivers)
        // Reapplies of both replicas, interleaved (no loops yet: each
        // collection provisions once).
        for _ in 0..<3 {
            #expect(try await a.provisioning.collector.collect().isEmpty)
            #expect(try await b.provisioning.collector.collect().isEmpty)
        }
        let unit = "UNIT_REQUESTS_ALL_AUTHENTICATED"
        #expect(first.fake.calls.filter { $0.method == "PUT" }.count == 6)
        // The configurations in force: receivers open, loops reapplying.
        await first.provider.configurationApplied(a.all)
        await second.provider.configurationApplied(b.all)
        #expect(await eventually { first.fake.calls.filter { $0.method == "PUT" }.count >= 8 })
        #expect(first.fake.renewals(instance: "inst1", unit: unit) == 1, "the same list from both replicas must not renew ZITADEL's notifications")
        let stored = try #require(first.fake.quota(instance: "inst1", unit: unit))
        let expected = receivers.map { #"{"percent":50,"repeat":true,"callUrl":"\#($0)/zitadel/notifications/inst1/\#(Self.secret)"}"# }
        #expect(stored["notifications"]?.serialized() == "[" + expected.joined(separator: ",") + "]")

        let now = Date().timeIntervalSince1970
        let period = RFC3339Text.format(QuotaPeriod.current(from: unixTime("2026-01-01T00:00:00Z"), resetInterval: 30 * 86_400, now: now).start)
        #expect(try await first.fake.notify(instance: "inst1", unit: unit, periodStart: period, threshold: 50, usage: 50_123, client: first.http) == [200, 200])
        let usageA = samples(await first.scrape(a.all).text, "quota_usage")
        let usageB = samples(await second.scrape(b.all).text, "quota_usage")
        #expect(usageA == [#"quota_usage{provider="zitadel",account="inst1",quota="requests_all_authenticated",unit="requests"} 50123"#])
        #expect(usageA == usageB)
        #expect(!first.logText.contains(Self.secret) && !second.logText.contains(Self.secret))
        await first.stop()
        await second.stop()
    }

    /// An old ZITADEL without SetQuota: the first replica creates the
    /// quota with the whole list, the second finds it there.
    @Test func addQuotaFallbackIsIdempotentAcrossReplicas() async throws {
        let (first, second) = try await replicas()
        first.fake.setLegacy(true)
        let receivers = [first.server.baseURL, second.server.baseURL]
        let a = try provisioning(first, receivers: receivers)
        let b = try provisioning(second, receivers: receivers)
        #expect(try await a.provisioning.collector.collect().isEmpty)
        #expect(try await b.provisioning.collector.collect().isEmpty)
        #expect(first.fake.calls.map(\.method) == ["PUT", "POST", "PUT", "POST"])
        #expect(first.fake.renewals(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED") == 1)
        #expect(first.fake.quota(instance: "inst1", unit: "UNIT_REQUESTS_ALL_AUTHENTICATED")?["notifications"]?.arrayValue?.count == 2)
        await first.stop()
        await second.stop()
    }

    /// A server that echoes the request into its error must not put any of
    /// the callUrls (or the shared secret) into the error.
    @Test func everyCallURLIsRedactedFromAnEchoedError() async throws {
        let (first, second) = try await replicas()
        first.fake.setEcho(.jsonMessage)
        let receivers = [first.server.baseURL, second.server.baseURL]
        let a = try provisioning(first, receivers: receivers)
        await #expect {
            _ = try await a.provisioning.collector.collect()
        } throws: { error in
            let message = (error as? CollectorError)?.message ?? ""
            return message.contains("invalid request PUT") && !message.contains(Self.secret)
                && !receivers.contains { message.contains($0 + "/zitadel/notifications") }
        }
        await first.stop()
        await second.stop()
    }

    /// Each rule once per receiver, rules outermost, in the configured order.
    @Test func requestBodyListsEveryRuleForEveryReceiver() {
        let quota = ZitadelQuota(unit: .actionsAllRunSeconds, amount: 10, from: 0, resetInterval: 60, limit: false,
                                 notifications: [.init(percent: 50, repeat: false), .init(percent: 90, repeat: true)])
        #expect(quota.requestBody(callURLs: ["http://a/x", "http://b/x"]).serialized() == #"{"unit":"UNIT_ACTIONS_ALL_RUN_SECONDS","from":"1970-01-01T00:00:00Z","resetInterval":"60s","amount":10,"limit":false,"notifications":[{"percent":50,"repeat":false,"callUrl":"http://a/x"},{"percent":50,"repeat":false,"callUrl":"http://b/x"},{"percent":90,"repeat":true,"callUrl":"http://a/x"},{"percent":90,"repeat":true,"callUrl":"http://b/x"}]}"#)
    }

    static let base = #""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "quotas": [{"unit": "requests_all_authenticated", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}]"#
    static let secretKey = #""receiver_secret": "0123456789abcdef""#

    @Test func replicaEntryParses() throws {
        let provider = makeProvider(storagePath: "/var/lib/quota_exporter", replicas: 2)
        let targets = try zitadelTargets(#"{\#(Self.base), \#(Self.secretKey), "receiver_urls": ["http://q-0.q:8795", "http://q-1.q:8795/"]}"#,
                                         provider: provider, files: ConfigTests.tokenFiles)
        let parsed = try #require(instance(of: targets))
        #expect(parsed.callURLs(secret: "s") == ["http://q-0.q:8795/zitadel/notifications/1/s", "http://q-1.q:8795/zitadel/notifications/1/s"])
    }

    @Test(arguments: [
        (2, #""receiver_url": "http://q-0.q:8795", S"#, "receiver_url: --cluster.replicas=2 runs 2 exporters and ZITADEL must call each: list 2 receiver_urls"),
        (2, #""receiver_urls": ["http://q-0.q:8795"], S"#, "receiver_urls: --cluster.replicas=2 runs 2 exporters"),
        (3, #""receiver_urls": ["http://q-0.q", "http://q-1.q"], S"#, "found 2"),
        (1, #""receiver_urls": ["http://q-0.q", "http://q-1.q"], S"#, "receiver_urls: lists 2 receiver_urls but --cluster.replicas is 1: start every replica with --cluster.replicas=2"),
        (2, #""receiver_urls": ["http://q-0.q", "http://q-0.q/"], S"#, "receiver_urls: elements 0 and 1 are the same URL"),
        (2, #""receiver_urls": ["http://q-0.q", "http://q-1.q"]"#, "several receiver_urls need \"receiver_secret\""),
        (2, #""receiver_urls": ["http://q-0.q", "http://q-1.q"], "receiver_url": "http://q-0.q", S"#, "give either \"receiver_url\" or \"receiver_urls\", not both"),
        (2, #""receiver_urls": [], S"#, "receiver_urls: must contain at least 1"),
        (2, #""receiver_urls": ["ftp://q-0.q", "http://q-1.q"], S"#, "receiver_urls[0]"),
        (16, #""receiver_urls": [\#((0..<17).map { "\"http://q-\($0).q\"" }.joined(separator: ","))], S"#, "must contain at most 16 elements"),
    ])
    func replicaEntriesAreCheckedAgainstTheReplicaCount(replicas: Int, keys: String, message: String) {
        let provider = makeProvider(storagePath: "/var/lib/quota_exporter", replicas: replicas)
        let entry = "{" + Self.base + ", " + keys.replacingOccurrences(of: "S", with: Self.secretKey) + "}"
        #expect {
            _ = try zitadelTargets(entry, provider: provider, files: ConfigTests.tokenFiles)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    /// Without provisioning nobody gives ZITADEL a callUrl from this entry:
    /// the replica count does not apply.
    @Test func withoutProvisioningTheReceiverURLsAreNotCounted() throws {
        let provider = makeProvider(storagePath: "/var/lib/quota_exporter", replicas: 2)
        let targets = try zitadelTargets(#"{"url": "https://z", "instance_id": "1", "provisioning": false, \#(Self.secretKey), "quotas": [{"unit": "requests_all_authenticated", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}]}"#,
                                         provider: provider)
        #expect(targets.map(\.identity.collector) == ["quotas"])
    }
}
