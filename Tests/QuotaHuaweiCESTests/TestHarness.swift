import Foundation
import QuotaCollection
import QuotaConfig
import QuotaExposition
import QuotaHuaweiCES
import QuotaLogging

/// A fake Huawei Cloud, a provider pointed at it, and a log sink that
/// tests read back (to find error messages, and to check that no secret
/// was ever logged).
struct Harness {
    let fake: FakeHuaweiCloud
    let port: UInt16
    let provider: HuaweiCESProvider
    let logs: MemoryLogSink
    let counter: UpstreamRequestCounter

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static let environment = ConfigEnvironment.inMemory(
        variables: ["HW_AK": FakeHuaweiCloud.accessKey, "HW_SK": FakeHuaweiCloud.secretKey],
        files: ["/run/secrets/iam_password": FakeHuaweiCloud.password + "\n", "/run/secrets/sts": FakeHuaweiCloud.securityToken]
    )

    /// Every secret the tests use: none may appear in a log line or error.
    static let secrets = [FakeHuaweiCloud.secretKey, FakeHuaweiCloud.password, FakeHuaweiCloud.securityToken, "token-1", "token-2", "token-3", "Signature="]

    /// Runs `body` with a started fake and always stops it.
    /// - Parameters:
    ///   - clock: the provider's clock (X-Sdk-Date, token expiry);
    ///   - fakeClock: the fake's, when it should disagree (date skew).
    static func run(clock: ManualClock? = nil, fakeClock: ManualClock? = nil, _ body: (Harness) async throws -> Void) async throws {
        let now: @Sendable () -> Date
        if let clock {
            now = { clock.now }
        } else {
            now = { Date() }
        }
        let fakeNow: @Sendable () -> Date
        if let fakeClock {
            fakeNow = { fakeClock.now }
        } else {
            fakeNow = now
        }
        let fake = FakeHuaweiCloud(clock: fakeNow)
        let port = try fake.start()
        let logs = MemoryLogSink()
        var settings = UpstreamClient.Settings()
        settings.retryBaseDelay = 0.001
        // Long enough to outlast suites of this test process that block the
        // cooperative pool (openssl, Python) while the fake's handler waits
        // for a thread; the timeout tests set their own.
        settings.requestTimeout = 60
        let counter = UpstreamRequestCounter()
        let context = ProviderContext(logger: Logger(level: .debug, format: .logfmt, sink: logs), upstreamCounter: counter, clientSettings: settings)
        let harness = Harness(fake: fake, port: port, provider: HuaweiCESProvider(context: context, clock: { now().timeIntervalSince1970 }), logs: logs, counter: counter)
        do {
            try await body(harness)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    /// An access-key entry for the fake's project; `extra` adds members.
    func accessKeyEntry(_ extra: String = "") -> String {
        #"{"region":"ap-southeast-1","project_id":"\#(FakeHuaweiCloud.projectID)","endpoint":"\#(endpoint)","access_key":"${HW_AK}","secret_key":"${HW_SK}"\#(extra)}"#
    }

    func iamEntry() -> String {
        #"{"region":"ap-southeast-1","project_id":"\#(FakeHuaweiCloud.projectID)","endpoint":"\#(endpoint)","iam":{"endpoint":"\#(endpoint)","domain":"\#(FakeHuaweiCloud.domain)","user":"\#(FakeHuaweiCloud.user)","password_file":"/run/secrets/iam_password"}}"#
    }

    /// Parses `json` as one configuration entry, strictly (unknown keys fail).
    func targets(_ json: String, labels: [Label] = []) throws -> [Target] {
        let entry = try ConfigObject.parse(Array(json.utf8), environment: Self.environment)
        let targets = try provider.targets(from: entry, common: TargetCommon(labels: labels, settings: CollectionSettings(minInterval: 60, maxStaleness: 600, timeout: 60), path: "huaweicloud_ces[0]"))
        try entry.finish()
        return targets
    }

    /// One scrape through the collection cache, rendered as text exposition
    /// lines, without the duration and last-success samples (wall clock).
    func scrape(_ targets: [Target]) async -> [String] {
        let cache = CollectionCache(targets: targets, logger: Logger(level: .debug, format: .logfmt, sink: logs))
        let snapshot = await cache.refresh(deadline: .now + .seconds(120))
        let families = SnapshotMetrics.quotaFamilies(snapshot) + SnapshotMetrics.collectorFamilies(snapshot)
        let text = String(decoding: ExpositionWriter().render(families, format: .text).bytes, as: UTF8.self)
        return text.split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("quota_exporter_collector_duration_seconds{") && !$0.hasPrefix("quota_exporter_collector_last_success_timestamp_seconds{")
        }
    }

    /// The sample lines (no HELP/TYPE) of one scrape.
    func samples(_ targets: [Target]) async -> [String] {
        await scrape(targets).filter { !$0.hasPrefix("#") }
    }

    /// Log lines that contain any secret; must stay empty.
    var leakedLines: [String] {
        logs.lines.filter { line in Self.secrets.contains { line.contains($0) } }
    }
}
