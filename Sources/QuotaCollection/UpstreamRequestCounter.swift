import QuotaConcurrency
import QuotaExposition

/// Counts upstream HTTP attempts by provider and status code, for
/// `quota_exporter_upstream_requests_total`. Retries count separately,
/// because each one is a call against the provider's rate limit.
public final class UpstreamRequestCounter: @unchecked Sendable {
    /// The `code` value for an attempt that got no HTTP response at all.
    public static let noResponse = "error"

    private struct Key: Hashable {
        var provider: String
        var code: String
    }

    private let lock = Lock()
    private var counts: [Key: Int] = [:]
    /// The family last built from `counts`, handed out again while nothing
    /// was recorded (every scrape asks for it and compares it with the last
    /// one's: the same storage compares and frees in a few instructions).
    private var kept: MetricFamily?

    public init() {}

    public func record(provider: String, code: String) {
        lock.lock()
        counts[Key(provider: provider, code: code), default: 0] += 1
        kept = nil
        lock.unlock()
    }

    public func count(provider: String, code: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[Key(provider: provider, code: code)] ?? 0
    }

    public var family: MetricFamily {
        lock.lock()
        defer { lock.unlock() }
        if let kept { return kept }
        let family = MetricFamily(
            name: "quota_exporter_upstream_requests_total",
            help: "HTTP requests sent to providers, by status code (code=\"error\" when no response arrived). Retries count too.",
            type: .counter,
            samples: counts.map { Sample(labels: [Label("provider", $0.key.provider), Label("code", $0.key.code)], value: Double($0.value)) }
        )
        kept = family
        return family
    }
}
