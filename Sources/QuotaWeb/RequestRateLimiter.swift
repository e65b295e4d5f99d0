import QuotaConcurrency

/// exporter-toolkit's `rate_limit`: a token bucket of `burst` requests that
/// refills one request per `interval` (Go's `rate.NewLimiter(rate.Every(
/// interval), burst)`), shared by every client; a request that finds it
/// empty gets 429. It bounds what a flood of requests (or of passwords to
/// check) can cost, not who may connect.
public final class RequestRateLimiter: Sendable {
    public struct Settings: Sendable, Equatable {
        public var burst: Int
        public var interval: Duration

        public init(burst: Int, interval: Duration) {
            self.burst = burst
            self.interval = interval
        }
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    public let settings: Settings
    private let bucket: Locked<Bucket>
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(_ settings: Settings, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.settings = settings
        self.now = now
        bucket = Locked(Bucket(tokens: Double(settings.burst), last: now()))
    }

    /// Takes one request's token if there is one.
    public func allow() -> Bool {
        let instant = now()
        let interval = Self.seconds(settings.interval)
        return bucket.withLock { bucket in
            let elapsed = max(0, Self.seconds(bucket.last.duration(to: instant)))
            bucket.last = instant
            bucket.tokens = min(Double(settings.burst), bucket.tokens + elapsed / interval)
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
