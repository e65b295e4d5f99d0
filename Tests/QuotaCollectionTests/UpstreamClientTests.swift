import Foundation
import QuotaCollection
import QuotaConfig
import QuotaHTTP
import QuotaLogging
import Testing

/// A loopback server whose answers a test scripts, counting the requests.
final class ScriptedServer: @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [@Sendable (HTTPRequest) async -> HTTPResponse]
    private var received: [HTTPRequest] = []
    private var server: HTTPServer?
    private(set) var port: UInt16 = 0

    init(_ responses: [@Sendable (HTTPRequest) async -> HTTPResponse]) throws {
        self.responses = responses
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")]),
            handler: ClosureHTTPHandler { [weak self] request in
                guard let self else { return HTTPResponse(status: 503, body: Array("the fake is gone\n".utf8)) }
                return await self.next(request)(request)
            },
            logger: .disabled
        )
        try server.start()
        self.server = server
        port = server.boundAddresses[0].port
    }

    var url: HTTPURL { HTTPURL(string: "http://127.0.0.1:\(port)/v1/thing")! }

    var requestCount: Int { lock.withLock { received.count } }

    var requests: [HTTPRequest] { lock.withLock { received } }

    private func next(_ request: HTTPRequest) -> @Sendable (HTTPRequest) async -> HTTPResponse {
        lock.withLock {
            received.append(request)
            return responses.count > 1 ? responses.removeFirst() : responses[0]
        }
    }

    func stop() async {
        await server?.shutdown(gracePeriod: 1)
    }
}

/// Generous by default: other suites block cooperative threads, and the
/// fake server's handler needs one to answer.
private func client(_ counter: UpstreamRequestCounter, timeout: Double = 60, maxBytes: Int = 1 << 20) -> UpstreamClient {
    var settings = UpstreamClient.Settings()
    settings.requestTimeout = timeout
    settings.retryBaseDelay = 0.01
    settings.maxResponseBytes = maxBytes
    return UpstreamClient(provider: "fake", settings: settings, counter: counter, logger: .disabled)
}

private func status(_ code: Int, _ body: String = "", headers: HTTPHeaders = [:]) -> @Sendable (HTTPRequest) async -> HTTPResponse {
    { _ in HTTPResponse(status: code, headers: headers, body: Array(body.utf8)) }
}

@Suite struct UpstreamClientTests {
    @Test func returnsBodyAndSendsHeaders() async throws {
        let server = try ScriptedServer([status(200, #"{"ok":true}"#)])
        let counter = UpstreamRequestCounter()
        let response = try await client(counter).send(UpstreamRequest(url: server.url, headers: [("X-Test", "1")], rateLimitScope: "s"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok":true}"#)
        #expect(server.requests.first?.headers["X-Test"] == "1")
        #expect(server.requests.first?.headers["User-Agent"]?.hasPrefix("quota_exporter") == true)
        #expect(counter.count(provider: "fake", code: "200") == 1)
        await server.stop()
    }

    @Test func serverErrorsAreRetriedAFewTimesThenReturned() async throws {
        let server = try ScriptedServer([status(503, "busy"), status(500, "boom"), status(502, "bad gateway")])
        let counter = UpstreamRequestCounter()
        let response = try await client(counter).send(UpstreamRequest(url: server.url, rateLimitScope: "s"))
        #expect(response.status == 502)
        #expect(server.requestCount == 3, "one attempt and two retries")
        #expect(counter.count(provider: "fake", code: "500") == 1)
        #expect(counter.count(provider: "fake", code: "503") == 1)
        await server.stop()
    }

    @Test func retrySucceedsAfterATransientError() async throws {
        let server = try ScriptedServer([status(500), status(200, "fine")])
        let response = try await client(UpstreamRequestCounter()).send(UpstreamRequest(url: server.url, rateLimitScope: "s"))
        #expect(response.status == 200)
        await server.stop()
    }

    @Test func postIsNotRetried() async throws {
        let server = try ScriptedServer([status(500), status(200)])
        let response = try await client(UpstreamRequestCounter()).send(UpstreamRequest(method: "POST", url: server.url, body: [1], rateLimitScope: "s"))
        #expect(response.status == 500)
        #expect(server.requestCount == 1)
        await server.stop()
    }

    @Test func retryAfterBlocksTheScopeOnly() async throws {
        let server = try ScriptedServer([status(429, #"{"error":"slow down"}"#, headers: ["Retry-After": "120"]), status(200)])
        let upstream = client(UpstreamRequestCounter())
        let limited = try await upstream.send(UpstreamRequest(url: server.url, rateLimitScope: "token-a"))
        #expect(limited.status == 429)
        let blocked = try #require(upstream.blockedUntil(scope: "token-a"))
        let remaining = blocked - Date().timeIntervalSince1970
        #expect(remaining > 100 && remaining <= 120)
        await #expect(throws: CollectorError.self) {
            _ = try await upstream.send(UpstreamRequest(url: server.url, rateLimitScope: "token-a"))
        }
        #expect(server.requestCount == 1, "no request while blocked")
        do {
            _ = try await upstream.send(UpstreamRequest(url: server.url, rateLimitScope: "token-a"))
        } catch {
            #expect(error.reason == .rateLimited)
        }
        let other = try await upstream.send(UpstreamRequest(url: server.url, rateLimitScope: "token-b"))
        #expect(other.status == 200, "another credential is not blocked")
        await server.stop()
    }

    /// Entries with their own `proxy_url`/`tls_config` get clients of their
    /// own, but a credential's `Retry-After` block holds across all of them.
    @Test func entryClientsShareTheRetryAfterBlocks() async throws {
        let server = try ScriptedServer([status(429, "slow down", headers: ["Retry-After": "120"]), status(200)])
        let upstream = client(UpstreamRequestCounter())
        let entry = upstream.forConnection(EntryConnection(tls: .init(serverName: "quota.internal")))
        #expect(entry !== upstream)
        #expect(entry.settings.tls.serverName == "quota.internal")
        #expect(upstream.forConnection(EntryConnection()) === upstream)
        let limited = try await upstream.send(UpstreamRequest(url: server.url, rateLimitScope: "token-a"))
        #expect(limited.status == 429)
        #expect(entry.blockedUntil(scope: "token-a") != nil)
        await #expect(throws: CollectorError.self) {
            _ = try await entry.send(UpstreamRequest(url: server.url, rateLimitScope: "token-a"))
        }
        #expect(server.requestCount == 1, "the entry's client honours the block")
        await server.stop()
    }

    @Test func unavailableWithRetryAfterBlocksToo() async throws {
        let server = try ScriptedServer([status(503, "maintenance", headers: ["Retry-After": "30"])])
        let upstream = client(UpstreamRequestCounter())
        let response = try await upstream.send(UpstreamRequest(url: server.url, rateLimitScope: "s"))
        #expect(response.status == 503)
        #expect(server.requestCount == 1, "a 503 with Retry-After is honoured, not retried")
        #expect(upstream.blockedUntil(scope: "s") != nil)
        await server.stop()
    }

    @Test func oversizedResponseIsRejected() async throws {
        let server = try ScriptedServer([status(200, String(repeating: "x", count: 5000))])
        let counter = UpstreamRequestCounter()
        do {
            _ = try await client(counter, maxBytes: 1000).send(UpstreamRequest(url: server.url, rateLimitScope: "s"))
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .decode)
            #expect(error.message.contains("larger than 1000 bytes"))
        }
        await server.stop()
    }

    @Test func slowResponseIsATimeout() async throws {
        let server = try ScriptedServer([{ _ in
            try? await Task.sleep(nanoseconds: 3_000_000_000)
            return HTTPResponse(status: 200)
        }])
        let counter = UpstreamRequestCounter()
        do {
            _ = try await client(counter, timeout: 0.3).send(UpstreamRequest(url: server.url, rateLimitScope: "s"))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.reason == .timeout)
        }
        #expect(counter.count(provider: "fake", code: "error") >= 1)
        await server.stop()
    }

    @Test func refusedConnectionIsANetworkError() async throws {
        let server = try ScriptedServer([status(200)])
        let url = server.url
        await server.stop()
        do {
            _ = try await client(UpstreamRequestCounter()).send(UpstreamRequest(url: url, rateLimitScope: "s"))
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .network)
        }
    }

    @Test func retryAfterParsesSecondsAndDates() {
        let now: Double = 1_700_000_000
        #expect(RetryAfter.delay("120", now: now) == 120)
        #expect(RetryAfter.delay(" 0 ", now: now) == 0)
        #expect(RetryAfter.delay("Tue, 14 Nov 2023 22:15:00 GMT", now: now) == 100)
        #expect(RetryAfter.delay("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0, "a date in the past means now")
        #expect(RetryAfter.delay("soon", now: now) == nil)
        #expect(RetryAfter.delay("-5", now: now) == nil)
    }

    /// delay-seconds is `1*DIGIT`: no sign, fraction or exponent, and any
    /// number of digits is clamped to a year instead of overflowing.
    @Test func retryAfterIsRangeChecked() {
        let now: Double = 1_700_000_000
        for text in ["+5", "5.0", "1e3", "0x10", "5s", "5 5", "", "   ", "\u{0660}", "-0"] {
            #expect(RetryAfter.delay(text, now: now) == nil, "\(text)")
        }
        #expect(RetryAfter.delay("99999999999999999999999999999999", now: now) == RetryAfter.maxDelay)
        #expect(RetryAfter.delay(String(repeating: "9", count: 100_000), now: now) == RetryAfter.maxDelay)
        #expect(RetryAfter.delay("\t31536001 ", now: now) == RetryAfter.maxDelay)
        #expect(RetryAfter.delay("007", now: now) == 7)
        // The obsolete HTTP-date forms, and a date far in the future, clamped.
        #expect(RetryAfter.delay("Tuesday, 14-Nov-23 22:15:00 GMT", now: now) == 100)
        #expect(RetryAfter.delay("Tue Nov 14 22:15:00 2023", now: now) == 100)
        #expect(RetryAfter.delay("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == RetryAfter.maxDelay)
        #expect(RetryAfter.delay("Tue, 14 Nov 2023 22:15:00.5 GMT", now: now) == nil)
        #expect(RetryAfter.delay("Tue, 31 Nov 2023 22:15:00 GMT", now: now) == nil)
        #expect(RetryAfter.currentTime() > now)
    }
}
