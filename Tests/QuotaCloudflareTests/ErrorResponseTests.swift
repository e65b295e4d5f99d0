import QuotaCollection
import Testing

/// Each way Cloudflare can fail, as the exporter shows it: the exact
/// health lines, the reason, and Cloudflare's own words in the log.
@Suite struct ErrorResponseTests {
    typealias F = Fixture
    static let forbidden = #"{"success":false,"errors":[{"code":10000,"message":"Forbidden"}],"messages":[],"result":null}"#

    /// The token lacks "Workers CI Read" (or the account has no Workers
    /// Builds): that endpoint is down with reason auth, the others serve.
    @Test func forbiddenWithCode10000IsAuthAndNamesThePermission() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, SeedExamples.dexCommands)
            fake.serve(F.accountA, F.buildsPath, status: 403, Self.forbidden)
            fake.serve(F.accountA, F.aiGatewayPath, SeedExamples.aiGatewaySpending)

            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL)))

            let a = F.accountA
            #expect(outcome.lines.filter { $0.hasPrefix("quota_exporter") } == [
                "quota_exporter_collector_errors_total{\(F.target(a, "workers_builds")),reason=\"auth\"} 1",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "ai_gateway_spending"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "dex_commands"))} 1700000000",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 0",
            ])
            #expect(!outcome.lines.contains { $0.contains("workers_build_minutes") })
            let error = try #require(outcome.error(a, "workers_builds"))
            #expect(error == CollectorError(
                .auth,
                "code 10000: Forbidden; the API token needs the \"Workers CI Read\" permission on this account (or one of: Workers CI Write), and the account must use Workers Builds",
                statusCode: 403
            ))
            let failure = try #require(outcome.logs.first { $0.contains("collection failed") })
            #expect(failure.contains("collector=workers_builds reason=auth status=403"))
            #expect(failure.contains("code 10000: Forbidden; the API token needs the \\\"Workers CI Read\\\" permission"))
            #expect(!outcome.logs.joined().contains(F.tokenA))
        }
    }

    /// A token Cloudflare does not accept at all: every endpoint says so,
    /// each naming its own permission.
    @Test func rejectedTokenNamesEachEndpointsPermission() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token("a-different-token"))
            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL)))

            let a = F.accountA
            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(a, "ai_gateway_spending")),reason=\"auth\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "dex_commands")),reason=\"auth\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "workers_builds")),reason=\"auth\"} 1",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 0",
            ])
            #expect(outcome.error(a, "dex_commands")?.message.contains("code 10000: Authentication error; the API token needs the \"Cloudflare DEX Read\" permission") == true)
            #expect(outcome.error(a, "ai_gateway_spending")?.message.contains("needs the \"AI Gateway Read\" permission") == true)
            #expect(outcome.error(a, "workers_builds")?.message.contains("needs the \"Workers CI Read\" permission") == true)
            #expect(!outcome.logs.joined().contains(F.tokenA))
        }
    }

    /// 401 with 9106 (missing auth headers) is an auth problem too.
    @Test func unauthorizedWithCode9106IsAuth() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, status: 401, #"{"success":false,"errors":[{"code":9106,"message":"Missing X-Auth-Email header"}],"messages":[],"result":null}"#)
            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])))

            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(F.accountA, "dex_commands")),reason=\"auth\"} 1",
                "quota_exporter_collector_up{\(F.target(F.accountA, "dex_commands"))} 0",
            ])
            #expect(outcome.error(F.accountA, "dex_commands")?.message.hasPrefix("code 9106: Missing X-Auth-Email header; the API token needs") == true)
        }
    }

    /// HTTP 200 with `success:false` is an error, with Cloudflare's codes
    /// and messages; with an auth code it is an auth error.
    @Test func successFalseUnderHTTP200IsAnAPIError() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, #"{"success":false,"errors":[{"code":1001,"message":"Quota lookup failed","error_chain":[{"code":1002,"message":"DEX not enabled"}]}],"messages":["try again later"],"result":null}"#)
            fake.serve(F.accountA, F.aiGatewayPath, #"{"success":false,"errors":[{"code":9109,"message":"Unauthorized to access requested resource"}],"messages":[]}"#)

            let outcome = try await ProviderUnderTest().collect(config(
                entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands", "ai_gateway_spending"])
            ))

            let a = F.accountA
            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(a, "ai_gateway_spending")),reason=\"auth\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "dex_commands")),reason=\"api_error\"} 1",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 0",
            ])
            #expect(outcome.error(a, "dex_commands") == CollectorError(
                .apiError,
                "success:false: code 1001: Quota lookup failed (code 1002: DEX not enabled); messages: try again later",
                statusCode: 200
            ))
            #expect(outcome.error(a, "ai_gateway_spending")?.message.hasPrefix(
                "success:false: code 9109: Unauthorized to access requested resource; the API token needs the \"AI Gateway Read\" permission"
            ) == true)
        }
    }

    /// An account without the product: the endpoint answers 404 with
    /// Cloudflare's 12000 "Not found" (the seed's own error example). That
    /// is for the operator to fix on Cloudflare's side, like a permission.
    @Test func accountWithoutTheProductIsAuthAndNamesThePermission() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.buildsPath, status: 404, #"{"success":false,"errors":[{"code":12000,"message":"Not found"}],"messages":[],"result":null}"#)
            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["workers_builds"])))
            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(F.accountA, "workers_builds")),reason=\"auth\"} 1",
                "quota_exporter_collector_up{\(F.target(F.accountA, "workers_builds"))} 0",
            ])
            let error = try #require(outcome.error(F.accountA, "workers_builds"))
            #expect(error.statusCode == 404)
            #expect(error.message.hasPrefix("code 12000: Not found; the API token needs the \"Workers CI Read\" permission"))
            #expect(error.message.contains("the account must use Workers Builds"))
        }
    }

    /// A wrong account ID: Cloudflare's 7003 "Could not route" under 404.
    @Test func unknownAccountIsAnAPIErrorWithAHint() async throws {
        try await withFake { fake in
            fake.allow(F.accountB, .token(F.tokenA))
            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountB, token: F.tokenA, base: fake.baseURL, collectors: ["ai_gateway_spending"])))

            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(F.accountB, "ai_gateway_spending")),reason=\"api_error\"} 1",
                "quota_exporter_collector_up{\(F.target(F.accountB, "ai_gateway_spending"))} 0",
            ])
            let error = try #require(outcome.error(F.accountB, "ai_gateway_spending"))
            #expect(error.statusCode == 404)
            #expect(error.message.hasPrefix("code 7003: Could not route to /client/v4/accounts/\(F.accountB)/ai-gateway/billing/spending-limit, perhaps your object identifier is invalid?"))
            #expect(error.message.hasSuffix("; check the account ID, and that the account uses AI Gateway"))
        }
    }

    /// A 429 blocks every call with that token, for all its accounts, until
    /// Retry-After passes; another token is not affected.
    @Test func rateLimitStopsCallsWithThatTokenOnly() async throws {
        try await withFake { fake in
            let throttled = FakeCloudflare.Reply(
                status: 429,
                headers: ["Content-Type": "application/json", "Retry-After": "120"],
                body: #"{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}],"messages":[],"result":null}"#
            )
            for account in [F.accountA, F.accountB] {
                fake.allow(account, .token(F.tokenA))
                for path in [F.dexPath, F.buildsPath, F.aiGatewayPath] {
                    fake.serve(account, path, throttled)
                }
            }
            fake.allow(F.accountC, .token(F.tokenB))
            fake.serve(F.accountC, F.dexPath, SeedExamples.dexCommands)

            let provider = ProviderUnderTest()
            let targets = try provider.targets(config(
                entry(F.accountA, token: F.tokenA, base: fake.baseURL),
                entry(F.accountB, token: F.tokenA, base: fake.baseURL),
                entry(F.accountC, token: F.tokenB, base: fake.baseURL, collectors: ["dex_commands"])
            ))
            // One collection at a time, so the first 429 is in before the next call.
            let outcome = await provider.collect(targets, maxConcurrency: 1)

            let (a, b, c) = (F.accountA, F.accountB, F.accountC)
            #expect(outcome.lines.filter { $0.hasPrefix("quota_exporter") } == [
                "quota_exporter_collector_errors_total{\(F.target(b, "ai_gateway_spending")),reason=\"rate_limited\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(b, "dex_commands")),reason=\"rate_limited\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(b, "workers_builds")),reason=\"rate_limited\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "ai_gateway_spending")),reason=\"rate_limited\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "dex_commands")),reason=\"rate_limited\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "workers_builds")),reason=\"rate_limited\"} 1",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(c, "dex_commands"))} 1700000000",
                "quota_exporter_collector_up{\(F.target(b, "ai_gateway_spending"))} 0",
                "quota_exporter_collector_up{\(F.target(b, "dex_commands"))} 0",
                "quota_exporter_collector_up{\(F.target(b, "workers_builds"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 0",
                "quota_exporter_collector_up{\(F.target(c, "dex_commands"))} 1",
            ])
            let tokenACalls = fake.requests.filter { !$0.contains(c) }
            #expect(tokenACalls.count == 1, "after the first 429 no call with that token reaches Cloudflare")
            let errors = [a, b].flatMap { account in
                ["dex_commands", "workers_builds", "ai_gateway_spending"].compactMap { outcome.error(account, $0) }
            }
            #expect(errors.filter { $0.statusCode == 429 }.map(\.message) == [
                "Cloudflare rate limit: code 971: Please wait and consider throttling your request speed; no calls with this API token until it passes (Retry-After: 120)",
            ])
            #expect(errors.filter { $0.statusCode == nil }.allSatisfy {
                $0.message.hasPrefix("not calling cloudflare with this credential until ") && $0.message.hasSuffix("(Retry-After: 120)")
            })
            // One line for the block, however many collections it refused.
            let warnings = outcome.logs.filter { $0.contains("level=warn") }
            #expect(warnings.count == 1, "\(warnings)")
            #expect(warnings.first?.contains("collection failed; pausing calls with this credential") == true)
            #expect(warnings.first?.contains("pause_from=Retry-After") == true)
            #expect(warnings.first?.contains("pause=120s") == true)

            // The block outlives the scrape: the next collection calls nothing either.
            _ = await provider.collect(targets, maxConcurrency: 1)
            #expect(fake.requests.filter { !$0.contains(c) }.count == 1)
            #expect(fake.requestCount(c, F.dexPath) == 2)
        }
    }

    /// Without Retry-After the pause is Cloudflare's documented five-minute
    /// block, not the generic default.
    @Test func rateLimitWithoutRetryAfterPausesFiveMinutes() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, status: 429, #"{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}],"messages":[],"result":null}"#)
            let provider = ProviderUnderTest()
            let outcome = try await provider.collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])))
            #expect(outcome.error(F.accountA, "dex_commands")?.reason == .rateLimited)
            #expect(outcome.logs.contains { $0.contains("pausing calls with this credential") && $0.contains("pause=300s") && $0.contains("pause_from=default") }, "\(outcome.logs)")
        }
    }

    /// A 5xx is retried (twice) and then reported with Cloudflare's words.
    @Test func serverErrorIsRetriedThenHTTP() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.buildsPath, status: 500, #"{"success":false,"errors":[{"code":10001,"message":"Internal server error"}],"messages":[],"result":null}"#)
            fake.serve(F.accountA, F.dexPath, FakeCloudflare.Reply(status: 502, headers: ["Content-Type": "text/html"], body: "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>"))

            let outcome = try await ProviderUnderTest().collect(config(
                entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["workers_builds", "dex_commands"])
            ))

            let a = F.accountA
            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(a, "dex_commands")),reason=\"http\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "workers_builds")),reason=\"http\"} 1",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 0",
            ])
            #expect(fake.requestCount(a, F.buildsPath) == 3)
            #expect(outcome.error(a, "workers_builds") == CollectorError(.http, "code 10001: Internal server error", statusCode: 500))
            #expect(outcome.error(a, "dex_commands") == CollectorError(
                .http, #"body: "<html> <head><title>502 Bad Gateway</title></head> </html>""#, statusCode: 502
            ))
        }
    }

    /// An answer slower than the collection's deadline (the entry's
    /// `timeout`) is a timeout, not a hang.
    @Test func slowResponseTimesOut() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, FakeCloudflare.Reply(body: SeedExamples.dexCommands, delay: 3))

            let outcome = try await ProviderUnderTest().collect(
                config(entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])),
                settings: CollectionSettings(timeout: 0.5)
            )

            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(F.accountA, "dex_commands")),reason=\"timeout\"} 1",
                "quota_exporter_collector_up{\(F.target(F.accountA, "dex_commands"))} 0",
            ])
            #expect(outcome.error(F.accountA, "dex_commands")?.message == "collection did not finish within 0.500s")
        }
    }

    /// Not JSON, `result` not an object, a field of the wrong type or an
    /// unreadable date-time: `decode`, with a short excerpt.
    @Test func unexpectedShapesAreDecodeErrors() async throws {
        try await withFake { fake in
            for account in [F.accountA, F.accountB] {
                fake.allow(account, .token(F.tokenA))
            }
            fake.serve(F.accountA, F.dexPath, #"{"success": true, "result": {"quota": "#)
            fake.serve(F.accountA, F.buildsPath, F.envelope(#""limits""#))
            fake.serve(F.accountA, F.aiGatewayPath, F.envelope(#"{"config": {"amount": "100"}, "enabled": true}"#))
            fake.serve(F.accountB, F.dexPath, F.envelope(#"{"quota": 1, "quota_usage": 2, "reset_time": "tomorrow"}"#))

            let outcome = try await ProviderUnderTest().collect(config(
                entry(F.accountA, token: F.tokenA, base: fake.baseURL),
                entry(F.accountB, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])
            ))

            let (a, b) = (F.accountA, F.accountB)
            #expect(outcome.lines == [
                "quota_exporter_collector_errors_total{\(F.target(b, "dex_commands")),reason=\"decode\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "ai_gateway_spending")),reason=\"decode\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "dex_commands")),reason=\"decode\"} 1",
                "quota_exporter_collector_errors_total{\(F.target(a, "workers_builds")),reason=\"decode\"} 1",
                "quota_exporter_collector_up{\(F.target(b, "dex_commands"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 0",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 0",
            ])
            #expect(outcome.error(a, "dex_commands")?.message == #"response is not a JSON object: "{"success": true, "result": {"quota": ""#)
            #expect(outcome.error(a, "workers_builds")?.message == "result: expected an object, found a string")
            #expect(outcome.error(a, "ai_gateway_spending")?.message == "result.config.amount: expected a number, found a string")
            #expect(outcome.error(b, "dex_commands")?.message == #"result.reset_time: not an RFC 3339 date-time (expected 4 digits for the year at offset 0 (in "tomorrow"))"#)
        }
    }

    /// Whatever a server or proxy echoes back, the token never reaches an
    /// error message or the log.
    @Test func echoedTokenIsRedacted() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            var reply = FakeCloudflare.Reply(status: 403, body: #"{"success":false,"errors":[{"code":10000,"message":"Bad header {authorization}"}]}"#)
            reply.echoesAuthorization = true
            fake.serve(F.accountA, F.dexPath, reply)

            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])))

            let error = try #require(outcome.error(F.accountA, "dex_commands"))
            #expect(error.message.hasPrefix("code 10000: Bad header Bearer <redacted>; "))
            #expect(!outcome.logs.isEmpty)
            #expect(!outcome.logs.joined().contains(F.tokenA))
            #expect(!outcome.lines.joined().contains(F.tokenA))
        }
    }

    /// Messages are cut to 200 characters; the token is redacted before the
    /// cut, so no prefix of it survives there.
    @Test func tokenEchoedAcrossTheLengthCapIsRedacted() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            let padding = String(repeating: "x", count: 190)
            var reply = FakeCloudflare.Reply(status: 403, body: #"{"success":false,"errors":[{"code":10000,"message":"\#(padding){authorization}"}]}"#)
            reply.echoesAuthorization = true
            fake.serve(F.accountA, F.dexPath, reply)

            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])))

            let error = try #require(outcome.error(F.accountA, "dex_commands"))
            #expect(error.message.hasPrefix("code 10000: \(padding)Bearer <re"), "\(error.message)")
            #expect(!error.message.contains(F.tokenA.prefix(4)), "\(error.message)")
            #expect(!outcome.logs.joined().contains(F.tokenA.prefix(4)))
        }
    }
}
