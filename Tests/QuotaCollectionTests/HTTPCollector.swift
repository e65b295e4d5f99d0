import QuotaCollection
import QuotaConfig
import QuotaLogging

/// A collector that makes one real request through `UpstreamClient`: 200
/// is one reading, 429 a rate limit, anything else an HTTP error. For
/// tests of how collections share the client's request slots.
struct HTTPCollector: Collector {
    let client: UpstreamClient
    let url: HTTPURL
    let scope: String

    init(client: UpstreamClient, url: String, scope: String) {
        self.client = client
        self.url = HTTPURL(string: url)!
        self.scope = scope
    }

    func collect() async throws(CollectorError) -> [QuotaReading] {
        let response = try await client.send(UpstreamRequest(url: url, rateLimitScope: scope))
        switch response.status {
        case 200: return [QuotaReading(quota: "widgets", unit: "widgets", limit: 1, usage: 0, remaining: 1)]
        case 429: throw CollectorError(.rateLimited, "slow down", statusCode: 429)
        default: throw CollectorError(.http, "HTTP \(response.status)", statusCode: response.status)
        }
    }
}

/// A client for tests: generous timeouts (other suites load the machine),
/// the given backoff and default pause.
func testClient(
    logger: Logger = .disabled, requestTimeout: Double = 60, retryBaseDelay: Double = 0.01, defaultRateLimitBlock: Double = 60
) -> UpstreamClient {
    var settings = UpstreamClient.Settings()
    settings.requestTimeout = requestTimeout
    settings.retryBaseDelay = retryBaseDelay
    settings.defaultRateLimitBlock = defaultRateLimitBlock
    return UpstreamClient(provider: "fake", settings: settings, counter: UpstreamRequestCounter(), logger: logger)
}

/// Polls `condition` every 20 ms until it holds, for up to about
/// `seconds`: waits on a state change without asserting on elapsed time.
/// Generous by default, because in a full `swift test` every suite runs at
/// once on two cooperative threads; it returns as soon as the state is there.
func eventually(seconds: Double = 90, _ condition: () async throws -> Bool) async rethrows -> Bool {
    for _ in 0..<Int(seconds * 50) {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}

/// One scrape that starts what is due, then waits until no collection is
/// in flight (instead of a deadline the loaded test machine may miss).
@discardableResult
func refreshAndSettle(_ cache: CollectionCache) async -> CollectionSnapshot {
    _ = await cache.refresh(deadline: .now + .milliseconds(100))
    _ = await eventually { await !cache.snapshot().targets.contains { $0.refreshing } }
    return await cache.snapshot()
}
