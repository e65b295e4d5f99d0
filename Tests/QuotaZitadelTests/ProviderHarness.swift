import Foundation
import QuotaCollection
import QuotaConfig
import QuotaExposition
import QuotaLogging
@testable import QuotaZitadel

/// A provider wired as the exporter wires it: its routes on a real
/// loopback listener, a fake ZITADEL, a state directory, a log sink.
final class ProviderHarness: @unchecked Sendable {
    let keys: RSAKeyFixtures
    let fake: FakeZitadel
    let scratch: ScratchDirectory
    let sink = MemoryLogSink()
    let provider: ZitadelProvider
    let server: ProviderServer
    let http = makeHTTPClient()
    let keyPath = "/secrets/zitadel-system.pem"

    init(
        fake: FakeZitadel? = nil, scratch: ScratchDirectory? = nil,
        timing: ProvisioningTiming = ProvisioningTiming(firstRetry: 0.05, maxRetry: 0.2),
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        replicas: Int = 1,
        clientSettings: UpstreamClient.Settings = UpstreamClient.Settings()
    ) async throws {
        keys = try await RSAKeyFixtures.get()
        self.fake = try fake ?? FakeZitadel(publicKey: keys.rsa2048.publicKey)
        self.scratch = try scratch ?? ScratchDirectory()
        provider = makeProvider(storagePath: self.scratch.path, timing: timing, clock: clock, logger: Logger(level: .debug, sink: sink), replicas: replicas, clientSettings: clientSettings)
        server = try ProviderServer(routes: provider.routes)
    }

    /// One configuration entry for instance `id`; `extra` adds or overrides keys.
    func entry(_ id: String = "inst1", extra: String = "") -> String {
        """
        {"url": "\(fake.url)", "instance_id": "\(id)", "system_user": "quota-exporter", "private_key_file": "\(keyPath)",
         "receiver_url": "\(server.baseURL)", "notifications": [{"percent": 50, "repeat": true}],
         "quotas": [
           {"unit": "requests_all_authenticated", "amount": 100000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d", "limit": true},
           {"unit": "actions_all_run_seconds", "amount": 3600, "from": "2026-01-01T00:00:00Z", "reset_interval": "1d"}
         ]\(extra)}
        """
    }

    /// The entry every replica of a highly available setup is given: the
    /// same list of every replica's receiver and one shared secret.
    func replicaEntry(_ id: String = "inst1", receivers: [String], secret: String, extra: String = "") -> String {
        let list = receivers.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
        {"url": "\(fake.url)", "instance_id": "\(id)", "system_user": "quota-exporter", "private_key_file": "\(keyPath)",
         "receiver_urls": [\(list)], "receiver_secret": "\(secret)", "notifications": [{"percent": 50, "repeat": true}],
         "quotas": [{"unit": "requests_all_authenticated", "amount": 100000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d", "limit": true}]\(extra)}
        """
    }

    func targets(_ entries: [String], minInterval: Double = 0) throws -> [Target] {
        let root = try ConfigObject.parse(Array(#"{"zitadel":[\#(entries.joined(separator: ","))]}"#.utf8),
                                          environment: .inMemory(files: [keyPath: keys.rsa2048.pkcs8]))
        var targets: [Target] = []
        for object in try root.required("zitadel", .objects) {
            let settings = CollectionSettings(minInterval: minInterval, maxStaleness: 3600, timeout: 10)
            targets += try provider.targets(from: object, common: TargetCommon(settings: settings, path: object.path))
        }
        try root.finish()
        return targets
    }

    /// Collects every target once and renders what /metrics would show for them.
    func scrape(_ targets: [Target]) async -> (snapshot: CollectionSnapshot, text: String) {
        let cache = CollectionCache(targets: targets, logger: .disabled)
        let snapshot = await cache.collectAll()
        let families = SnapshotMetrics.quotaFamilies(snapshot) + SnapshotMetrics.collectorFamilies(snapshot) + provider.extraFamilies()
        return (snapshot, String(decoding: ExpositionWriter().render(families, format: .text).bytes, as: UTF8.self))
    }

    func status(_ snapshot: CollectionSnapshot, _ collector: String, account: String = "inst1") -> TargetStatus? {
        snapshot.targets.first { $0.identity.collector == collector && $0.identity.account == account }
    }

    /// The callUrl ZITADEL was given for `unit`.
    func callURL(instance: String = "inst1", unit: String = "UNIT_REQUESTS_ALL_AUTHENTICATED") -> String? {
        fake.quota(instance: instance, unit: unit)?["notifications"]?[0]?["callUrl"]?.stringValue
    }

    var logText: String {
        sink.lines.joined(separator: "\n")
    }

    func stop() async {
        await provider.shutdown()
        await server.stop()
        await fake.stop()
    }
}

/// The sample lines of `text` (no comments) whose metric name is `name`.
func samples(_ text: String, _ name: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
}

/// Whole seconds as the exposition writes them.
func value(_ seconds: Double) -> String {
    String(Int64(seconds))
}
