import Foundation
import LoopbackSupport
import QuotaCollection
import QuotaConfig
import QuotaHTTP
import QuotaLogging
import Testing

/// A credential blocked after a 429 logs one line when the block starts
/// (with its end and where the pause came from) and one when it ends;
/// the refused collections in between count in `errors_total` and log
/// nothing above debug. Before, each refusal logged a warning (33 lines in
/// 70 s for one account) and a default pause read "(Retry-After)".
@Suite struct RateLimitLogTests {
    private static func targets(_ client: UpstreamClient, url: String, count: Int) -> [Target] {
        (0..<count).map { index in
            Target(
                identity: TargetIdentity(provider: "fake", account: "a\(index)", collector: "widgets"),
                settings: CollectionSettings(minInterval: 1, maxStaleness: 600, timeout: 60),
                collector: HTTPCollector(client: client, url: url, scope: "token-1")
            )
        }
    }

    private static func lines(_ sink: MemoryLogSink, _ text: String) -> [String] {
        sink.lines.filter { $0.contains(text) }
    }

    @Test func refusalsDuringABlockAreCountedNotLogged() async throws {
        let server = try await LoopbackServer.start("http")
        let sink = MemoryLogSink()
        let logger = Logger(level: .info, sink: sink)
        let clock = ManualClock()
        let client = testClient(logger: logger)
        // One request at a time, so the first 429 is in before the others go.
        let cache = CollectionCache(
            targets: Self.targets(client, url: server.base + "/status/429?retry=600", count: 3), maxConcurrency: 1,
            logger: logger, clock: { clock.now })
        await refreshAndSettle(cache)
        clock.advance(1)
        let second = await refreshAndSettle(cache)
        #expect(try await server.stats()["requests"] == 1, "no call while the credential is blocked")
        #expect(second.targets.map { $0.errorsTotal[.rateLimited] ?? 0 }.reduce(0, +) == 6, "every refusal is counted")
        let refused = try #require(second.targets.first { $0.lastError?.statusCode == nil }?.lastError)
        #expect(refused.message.contains("with this credential until "), "\(refused.message)")
        #expect(refused.message.hasSuffix("(Retry-After: 600)"), "\(refused.message)")

        let starts = Self.lines(sink, "pausing calls with this credential")
        #expect(starts.count == 1, "\(sink.lines)")
        let start = starts.first ?? ""
        #expect(start.contains("level=warn"))
        #expect(start.contains("reason=rate_limited"))
        #expect(start.contains("status=429"))
        #expect(start.contains("paused_until="))
        #expect(start.contains("pause=600s"))
        #expect(start.contains("pause_from=Retry-After"))
        #expect(sink.lines.filter { $0.contains("level=warn") }.count == 1, "refusals log nothing: \(sink.lines)")
        server.stop()
    }

    @Test func theEndOfABlockIsOneLineAndTheNextBlockGetsItsOwnStart() async throws {
        let server = try await LoopbackServer.start("http")
        let sink = MemoryLogSink()
        let logger = Logger(level: .info, sink: sink)
        let clock = ManualClock()
        let cache = CollectionCache(
            targets: Self.targets(testClient(logger: logger), url: server.base + "/status/429?retry=1", count: 1),
            logger: logger, clock: { clock.now })
        await refreshAndSettle(cache)
        #expect(await eventually { !Self.lines(sink, "rate limit pause over").isEmpty }, "the end is logged when the block ends")
        #expect(Self.lines(sink, "pausing calls with this credential").count == 1)
        let end = Self.lines(sink, "rate limit pause over")
        #expect(end.count == 1)
        #expect(end.first?.contains("level=info") == true)
        #expect(end.first?.contains("pause_from=Retry-After") == true)
        #expect(end.first?.contains("account=a0 collector=widgets") == true, "names the collection whose 429 started it")

        clock.advance(1)
        await refreshAndSettle(cache)
        #expect(try await server.stats()["requests"] == 2, "called again once the block was over")
        #expect(Self.lines(sink, "pausing calls with this credential").count == 2, "a new block, a new start line")
        server.stop()
    }

    @Test func aDefaultPauseSaysSo() async throws {
        let server = try ScriptedServer([{ _ in HTTPResponse(status: 429, body: Array("slow down".utf8)) }])
        let sink = MemoryLogSink()
        let logger = Logger(level: .info, sink: sink)
        let clock = ManualClock()
        let client = testClient(logger: logger, defaultRateLimitBlock: 600)
        let cache = CollectionCache(
            targets: Self.targets(client, url: "http://127.0.0.1:\(server.port)/limited", count: 2), maxConcurrency: 1,
            logger: logger, clock: { clock.now })
        let snapshot = await refreshAndSettle(cache)
        let refused = try #require(snapshot.targets.first { $0.lastError?.statusCode == nil }?.lastError)
        #expect(refused.message.hasSuffix("(no Retry-After; default pause 600s)"), "\(refused.message)")
        #expect(!refused.message.contains("(Retry-After)"))
        let start = try #require(Self.lines(sink, "pausing calls with this credential").first)
        #expect(start.contains("pause_from=default"))
        #expect(start.contains("pause=600s"))
        await server.stop()
    }

    @Test func anUnreadableRetryAfterIsADefaultPauseNamingTheValue() async throws {
        let server = try ScriptedServer([{ _ in HTTPResponse(status: 429, headers: ["Retry-After": "soon"]) }])
        let sink = MemoryLogSink()
        let client = testClient(logger: Logger(level: .info, sink: sink), defaultRateLimitBlock: 600)
        // Outside any collection the client logs the start itself.
        let response = try await client.send(UpstreamRequest(url: HTTPURL(string: "http://127.0.0.1:\(server.port)/x")!, rateLimitScope: "s"))
        #expect(response.status == 429)
        let start = try #require(Self.lines(sink, "pausing calls with this credential").first)
        #expect(start.contains("pause_from=default"))
        #expect(start.contains("retry_after=soon"))
        do {
            _ = try await client.send(UpstreamRequest(url: HTTPURL(string: "http://127.0.0.1:\(server.port)/x")!, rateLimitScope: "s"))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.message.hasSuffix("(unreadable Retry-After \"soon\"; default pause 600s)"), "\(error.message)")
        }
        #expect(Self.lines(sink, "pausing calls").count == 1)
        await server.stop()
    }
}
