import Foundation
import LoopbackSupport
import QuotaHTTP
import QuotaWeb
@testable import QuotaExporter
import Testing

/// A wall clock the tests move by hand.
private final class HandClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 1_800_000_000.0

    var now: Double { lock.withLock { value } }
    func advance(_ seconds: Double) { lock.withLock { value += seconds } }
}

private func metrics(_ headers: HTTPHeaders = [:], method: String = "GET") -> HTTPRequest {
    HTTPRequest(method: method, target: "/metrics", headers: headers)
}

/// Lines that do not change between two scrapes (the process metrics do).
private func stableLines(_ bytes: [UInt8]) -> [Substring] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("process_") }
}

private func buffers(_ response: HTTPResponse) -> Set<UInt> {
    Set(response.bodyParts.map { $0.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } })
}

/// A cached scrape answered on the HTTP event loop (`respondImmediately`)
/// against the ordinary way (`handle`): the same answer, and nil whenever
/// the scrape must collect, render or compress something first.
@Suite struct ImmediateScrapeTests {
    @Test func aCachedScrapeIsReadyWithTheAnswerOfTheOrdinaryWay() async throws {
        let clock = HandClock()
        let runtime = try makeRuntime(staticConfig, clock: { clock.now })
        let handler = runtime.handler
        #expect(handler.respondImmediately(to: metrics()) == nil, "nothing collected yet")
        _ = await handler.handle(metrics())
        let ready = try #require(handler.respondImmediately(to: metrics()))
        let ordinary = await handler.handle(metrics())
        #expect(ready.status == 200)
        #expect(ready.headers == ordinary.headers)
        #expect(stableLines(ready.body) == stableLines(ordinary.body))
        #expect(String(decoding: ready.body, as: UTF8.self).contains("process_cpu_seconds_total"))
        #expect(ready.bodyParts.count == ordinary.bodyParts.count)
        // The kept families are the very same buffers: nothing was rendered again.
        #expect(buffers(ready).intersection(buffers(ordinary)).count >= 2)
        #expect(handler.respondImmediately(to: metrics(method: "HEAD"))?.status == 200)
        #expect(handler.respondImmediately(to: HTTPRequest(method: "GET", target: "/")) == nil, "only /metrics has an immediate way")
        #expect(handler.respondImmediately(to: metrics(method: "POST")) == nil, "a 405 takes the ordinary way")
    }

    @Test func aDueTargetSendsTheScrapeTheOrdinaryWay() async throws {
        let clock = HandClock()
        let runtime = try makeRuntime(staticConfig, clock: { clock.now })
        let handler = runtime.handler
        _ = await handler.handle(metrics())
        #expect(handler.respondImmediately(to: metrics()) != nil)
        let renders = runtime.renderer.accountRenderCount
        clock.advance(61)  // past the 60 s min_interval
        #expect(handler.respondImmediately(to: metrics()) == nil, "the target is due: the scrape collects")
        #expect(runtime.renderer.accountRenderCount == renders)
        let collected = await handler.handle(metrics())
        #expect(runtime.renderer.accountRenderCount == renders + 1)
        let ready = try #require(handler.respondImmediately(to: metrics()))
        #expect(stableLines(ready.body) == stableLines(collected.body))
    }

    /// The response made on the loop is kept and given again while its
    /// inputs are the same (the bytes would be), and never once any of them
    /// changed: a counter that moved or a failed reload shows at once.
    @Test func aKeptResponseIsGivenAgainOnlyWhileItsInputsAreTheSame() async throws {
        let runtime = try makeRuntime(staticConfig)
        let handler = runtime.handler
        _ = await handler.handle(metrics())
        // The process readings may move between two calls (CPU time, each
        // clock tick): try until two scrapes fall between equal readings.
        var reused = false
        for _ in 0..<200 where !reused {
            let before = runtime.liveInputs()
            let first = try #require(handler.respondImmediately(to: metrics()))
            let second = try #require(handler.respondImmediately(to: metrics()))
            guard runtime.liveInputs() == before else { continue }
            #expect(first.headKey != 0)
            #expect(second.headKey == first.headKey)
            #expect(buffers(second) == buffers(first), "the same parts: nothing rendered or merged again")
            reused = true
        }
        #expect(reused)
        #expect(runtime.keptResponses.count == 1)

        runtime.counter.record(provider: "cloudflare", code: "429")
        let counted = try #require(handler.respondImmediately(to: metrics()))
        #expect(String(decoding: counted.body, as: UTF8.self).contains(#"quota_exporter_upstream_requests_total{provider="cloudflare",code="429"} 1"#))
        runtime.state.reloadFailed("test")
        let failed = try #require(handler.respondImmediately(to: metrics()))
        #expect(String(decoding: failed.body, as: UTF8.self).contains("quota_exporter_config_last_reload_successful 0"))
        #expect(failed.headKey != counted.headKey)

        let gzip = metrics(["Accept-Encoding": "gzip"])
        _ = await handler.handle(gzip)
        _ = try #require(handler.respondImmediately(to: gzip))
        #expect(runtime.keptResponses.count == 2, "one per format and coding")
    }

    /// When every scrape collects (targets due at each), none is made on
    /// the loop; the ordinary way keeps its response too, so responses of
    /// older snapshots (and the renderings they hold) are let go.
    @Test func theOrdinaryWayKeepsItsResponseAndDropsThoseOfOlderSnapshots() async throws {
        let clock = HandClock()
        let runtime = try makeRuntime(staticConfig, clock: { clock.now })
        let handler = runtime.handler
        _ = await handler.handle(metrics())
        _ = await handler.handle(metrics(["Accept-Encoding": "gzip"]))
        #expect(runtime.keptResponses.count == 2)
        let serial = try #require(runtime.cache.readySnapshot()).serial
        clock.advance(61)  // due: the next scrape collects
        let collected = await handler.handle(metrics())
        #expect(try #require(runtime.cache.readySnapshot()).serial != serial)
        #expect(runtime.keptResponses.count == 1, "the gzip response of the older snapshot is gone")
        #expect(collected.headKey != 0, "kept, for the loop to give again")
    }

    @Test func aFormatOrCodingNotYetKeptTakesTheOrdinaryWayFirst() async throws {
        let runtime = try makeRuntime(staticConfig)
        let handler = runtime.handler
        _ = await handler.handle(metrics())
        let openMetrics: HTTPHeaders = ["Accept": "application/openmetrics-text;version=1.0.0"]
        #expect(handler.respondImmediately(to: metrics(openMetrics)) == nil, "no OpenMetrics rendering kept yet")
        let ordinaryOM = await handler.handle(metrics(openMetrics))
        let readyOM = try #require(handler.respondImmediately(to: metrics(openMetrics)))
        #expect(readyOM.headers["Content-Type"] == ordinaryOM.headers["Content-Type"])
        #expect(String(decoding: readyOM.body, as: UTF8.self).hasSuffix("# EOF\n"))
        #expect(stableLines(readyOM.body) == stableLines(ordinaryOM.body))

        let gzip: HTTPHeaders = ["Accept-Encoding": "gzip"]
        #expect(handler.respondImmediately(to: metrics(gzip)) == nil, "the kept families are not compressed yet")
        let ordinaryGzip = await handler.handle(metrics(gzip))
        let compressions = runtime.renderer.compressionCount
        let readyGzip = try #require(handler.respondImmediately(to: metrics(gzip)))
        #expect(runtime.renderer.compressionCount == compressions, "served from the kept compressed families")
        #expect(readyGzip.headers["Content-Encoding"] == "gzip")
        #expect(readyGzip.headers["Vary"] == "Accept-Encoding")
        let plain = try #require(handler.respondImmediately(to: metrics()))
        #expect(plain.headers["Content-Encoding"] == nil)
        let unzipped = try await pythonGunzip(readyGzip.body)
        #expect(stableLines(unzipped) == stableLines(try await pythonGunzip(ordinaryGzip.body)))
        #expect(stableLines(unzipped) == stableLines(plain.body))
    }

    /// The whole way through a real server with TLS and basic auth: the
    /// first scrape (bcrypt to check) goes to the pool, the next ones are
    /// answered on the loop, in plain and gzip, with the same content.
    @Test func overTLSWithBasicAuthTheLoopAnswersOnceTheCredentialIsCached() async throws {
        let fixtures = try await TLSFixtures.get()
        let hash = try await WebConfigBinaryTests.bcrypt("secret")
        let directory = TemporaryDirectory()
        let webFile = directory.write("web.yml", """
            tls_server_config:
              cert_file: \(fixtures.serverCert)
              key_file: \(fixtures.serverKey)
            basic_auth_users:
              prometheus: \(hash)
            """)
        let watcher = try WebConfigWatcher(path: webFile, logger: .disabled)
        let tls = try watcher.configuration.makeTLSContext(file: webFile)
        let runtime = try makeRuntime(staticConfig)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")], tls: tls),
            handler: runtime.handler(web: watcher),
            logger: .disabled
        )
        try server.start()
        let url = "https://127.0.0.1:\(server.boundAddresses[0].port)/metrics"
        func curl(_ extra: [String]) async throws -> (status: Int32, stdout: String) {
            try await WebConfigBinaryTests.tool(["curl", "-sS", "--max-time", "60", "--cacert", fixtures.caFile, "-D", "-"] + extra + [url])
        }
        let denied = try await curl([])
        #expect(denied.stdout.hasPrefix("HTTP/1.1 401"), "\(denied.stdout)")
        #expect(server.stats.immediateResponsesTotal == 1, "no credentials: decided on the loop")

        let first = try await curl(["-u", "prometheus:secret"])
        #expect(first.stdout.hasPrefix("HTTP/1.1 200"), "\(first.stdout)")
        #expect(server.stats.immediateResponsesTotal == 1, "bcrypt to do: the ordinary way")
        let second = try await curl(["-u", "prometheus:secret"])
        #expect(second.stdout.hasPrefix("HTTP/1.1 200"), "\(second.stdout)")
        #expect(server.stats.immediateResponsesTotal == 2, "cached credential and snapshot: answered on the loop")
        let body = { (text: String) in text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
        let lines = { (text: String) in stableLines(Array(body(text).utf8)) }
        #expect(lines(second.stdout) == lines(first.stdout))
        #expect(lines(second.stdout).contains { $0.hasPrefix("quota_limit{") })

        let gzipFirst = try await curl(["-u", "prometheus:secret", "--compressed"])
        #expect(gzipFirst.stdout.lowercased().contains("content-encoding: gzip"))
        let gzipSecond = try await curl(["-u", "prometheus:secret", "--compressed"])
        #expect(gzipSecond.stdout.lowercased().contains("content-encoding: gzip"))
        #expect(server.stats.immediateResponsesTotal == 3, "the second gzip scrape from the kept compressed families")
        #expect(lines(gzipSecond.stdout) == lines(first.stdout))
        await server.shutdown(gracePeriod: 1)
    }
}
