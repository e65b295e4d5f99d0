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

/// Polls `condition` every 20 ms, up to `attempts` times; for waiting on a
/// state change without asserting on elapsed time.
func eventually(_ attempts: Int = 1000, _ condition: () async throws -> Bool) async rethrows -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}
