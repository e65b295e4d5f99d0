import Foundation
import QuotaCloudflare
import QuotaCollection
import QuotaConfig
import QuotaExposition
import QuotaLogging
import Testing

/// A fixed wall clock, so `last_success_timestamp_seconds` is exact.
let fixedNow = 1_700_000_000.0

/// Fast client settings: the fake answers in milliseconds, retries need
/// no real backoff.
func fastClientSettings(requestTimeout: Double = 10) -> UpstreamClient.Settings {
    var settings = UpstreamClient.Settings()
    settings.requestTimeout = requestTimeout
    settings.retryBaseDelay = 0.001
    return settings
}

/// What one collection produced: the sample lines and the log.
struct Outcome {
    var lines: [String]
    var logs: [String]
    var snapshot: CollectionSnapshot

    /// The message of the target's last error.
    func error(_ account: String, _ collector: String) -> CollectorError? {
        snapshot.targets.first { $0.identity.account == account && $0.identity.collector == collector }?.lastError
    }
}

/// The provider under test with a memory log.
struct ProviderUnderTest {
    let sink = MemoryLogSink()
    let provider: CloudflareProvider

    init(clientSettings: UpstreamClient.Settings = fastClientSettings(), replicas: Int = 1) {
        let logger = Logger(level: .debug, format: .logfmt, sink: sink)
        provider = CloudflareProvider(context: ProviderContext(
            logger: logger, upstreamCounter: UpstreamRequestCounter(), clientSettings: clientSettings, replicas: replicas))
    }

    var logger: Logger {
        Logger(level: .debug, format: .logfmt, sink: sink)
    }

    /// The targets of every entry of the `cloudflare` list in `json`, as
    /// the configuration loader builds and settles them (without its
    /// shared keys).
    func targets(
        _ json: String,
        environment: ConfigEnvironment = .inMemory(),
        settings: CollectionSettings = CollectionSettings()
    ) throws(ConfigError) -> [Target] {
        let root = try ConfigObject.parse(Array(json.utf8), environment: environment)
        var targets: [Target] = []
        for entry in try root.required("cloudflare", .objects) {
            targets += try provider.targets(from: entry, common: TargetCommon(settings: settings, path: entry.path))
        }
        try root.finish()
        return provider.settle(targets)
    }

    /// Collects `targets` once through the cache, like a scrape, and
    /// renders what the exporter would serve (families sorted by name, as
    /// the writer emits them).
    func collect(_ targets: [Target], maxConcurrency: Int = 4) async -> Outcome {
        let cache = CollectionCache(targets: targets, maxConcurrency: maxConcurrency, logger: logger, clock: { fixedNow })
        let snapshot = await cache.refresh(deadline: .now + .seconds(60))
        let families = SnapshotMetrics.quotaFamilies(snapshot) + SnapshotMetrics.collectorFamilies(snapshot)
        let text = String(decoding: ExpositionWriter().render(families, format: .text).bytes, as: UTF8.self)
        return Outcome(lines: sampleLines(text), logs: sink.lines, snapshot: snapshot)
    }

    func collect(_ json: String, settings: CollectionSettings = CollectionSettings(), maxConcurrency: Int = 4) async throws -> Outcome {
        await collect(try targets(json, settings: settings), maxConcurrency: maxConcurrency)
    }
}

/// The sample lines of an exposition, without comments, without the
/// wall-time duration gauge (not deterministic), and without the error
/// counters still at 0 (eight per target, all alike).
func sampleLines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { line in
        !line.hasPrefix("#")
            && !line.hasPrefix("quota_exporter_collector_duration_seconds")
            && !(line.hasPrefix("quota_exporter_collector_errors_total") && line.hasSuffix(" 0"))
    }
}

/// One `cloudflare` entry as JSON.
func entry(_ account: String, token: String, base: String, collectors: [String]? = nil) -> String {
    var fields = ["\"account_id\": \"\(account)\"", "\"api_token\": \"\(token)\"", "\"base_url\": \"\(base)\""]
    if let collectors {
        fields.append("\"collectors\": [" + collectors.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
    }
    return "{" + fields.joined(separator: ", ") + "}"
}

func config(_ entries: String...) -> String {
    "{\"cloudflare\": [" + entries.joined(separator: ", ") + "]}"
}
