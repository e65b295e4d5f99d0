import QuotaConcurrency
import QuotaConfig
import QuotaHTTP
import Testing
@testable import QuotaWeb

/// exporter-toolkit's `rate_limit`, on a clock the test moves.
@Suite struct RequestRateLimiterTests {
    final class Clock: Sendable {
        let instant = Locked(ContinuousClock.now)
        func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
    }

    @Test func burstThenOnePerInterval() {
        let clock = Clock()
        let limiter = RequestRateLimiter(.init(burst: 3, interval: .seconds(1)), now: { clock.instant.current })
        #expect([limiter.allow(), limiter.allow(), limiter.allow(), limiter.allow()] == [true, true, true, false])
        clock.advance(.milliseconds(500))
        #expect(!limiter.allow(), "half an interval is half a token")
        clock.advance(.milliseconds(500))
        #expect(limiter.allow())
        #expect(!limiter.allow())
        clock.advance(.seconds(60))
        #expect([limiter.allow(), limiter.allow(), limiter.allow(), limiter.allow()] == [true, true, true, false], "refills up to the burst only")
    }

    private func load(_ yaml: String) throws(ConfigError) -> WebConfiguration {
        try WebConfigurationLoader(environment: .inMemory()).parse(Array(yaml.utf8), directory: "")
    }

    private func failure(_ yaml: String) -> String {
        do {
            _ = try load(yaml)
            return "loaded"
        } catch {
            return error.description
        }
    }

    @Test func parsedAsExporterToolkitMeansIt() throws {
        #expect(try load("rate_limit:\n  burst: 10\n  interval: 100ms\n").rateLimit == RequestRateLimiter.Settings(burst: 10, interval: .milliseconds(100)))
        #expect(try load("rate_limit:\n  burst: 10\n").rateLimit == nil, "no interval: no limit")
        #expect(try load("rate_limit:\n  burst: 10\n  interval: 0s\n").rateLimit == nil)
        #expect(failure("rate_limit:\n  interval: 1s\n").contains("rate_limit.burst (line 1, column 1): must be at least 1"))
        #expect(failure("rate_limit:\n  burst: 0\n  interval: 1s\n").contains("rate_limit.burst (line 2, column 3): must be at least 1"))
        #expect(failure("rate_limit:\n  burst: 1\n  interval: 1s\n  bucket: 2\n").contains(#"unknown key "bucket""#))
        #expect(failure("rate_limit:\n  burst: 1\n  interval: 1\n").contains("rate_limit.interval (line 3, column 3)"))
    }

    @Test func theGateAnswers429WhenTheBucketIsEmpty() async throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "rate_limit: {burst: 2, interval: 1h}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        let gate = WebGate(ClosureHTTPHandler { _ in .text(200, "ok\n") }, watcher: watcher)
        var statuses: [Int] = []
        for _ in 0..<3 {
            statuses.append(await gate.handle(HTTPRequest(method: "GET", target: "/metrics")).status)
        }
        #expect(statuses == [200, 200, 429])
        #expect(await gate.handle(HTTPRequest(method: "GET", target: "/")).headers["X-Frame-Options"] == "deny")

        // A re-read that leaves the limit alone keeps the empty bucket.
        scratch.write("web.yml", "rate_limit: {burst: 2, interval: 1h}\n")
        #expect(watcher.check() == .reloaded)
        #expect(await gate.handle(HTTPRequest(method: "GET", target: "/metrics")).status == 429)
        scratch.write("web.yml", "http_server_config: {}\n")
        #expect(watcher.check() == .reloaded)
        #expect(await gate.handle(HTTPRequest(method: "GET", target: "/metrics")).status == 200)
    }
}
