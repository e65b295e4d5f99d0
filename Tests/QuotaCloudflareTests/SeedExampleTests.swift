import QuotaCollection
import Testing

/// The seed pages' examples served verbatim, and the successful shapes
/// around them, down to the exact exposition lines.
@Suite struct SeedExampleTests {
    typealias F = Fixture

    @Test func seedExamplesOfAllThreeEndpoints() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, SeedExamples.dexCommands)
            fake.serve(F.accountA, F.buildsPath, SeedExamples.workersBuilds)
            fake.serve(F.accountA, F.aiGatewayPath, SeedExamples.aiGatewaySpending)

            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL)))

            let a = F.accountA
            #expect(outcome.lines == [
                "quota_enforced{\(F.aiGateway(a))} 1",
                "quota_exhausted{\(F.dex(a))} 1",
                "quota_exhausted{\(F.builds(a))} 1",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "ai_gateway_spending"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "dex_commands"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "workers_builds"))} 1700000000",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 1",
                "quota_info{\(F.aiGateway(a)),duration=\"duration\",strategy=\"strategy\"} 1",
                "quota_limit{\(F.aiGateway(a))} 0",
                "quota_limit{\(F.dex(a))} 0",
                "quota_remaining{\(F.dex(a))} 0",
                "quota_reset_timestamp_seconds{\(F.dex(a))} 1577470279.117",
                "quota_reset_timestamp_seconds{\(F.builds(a))} 1577470279.117",
                "quota_usage{\(F.dex(a))} 0",
            ])
            #expect(fake.requests.sorted() == [
                "/client/v4/accounts/\(a)/ai-gateway/billing/spending-limit",
                "/client/v4/accounts/\(a)/builds/account/limits",
                "/client/v4/accounts/\(a)/dex/commands/quota",
            ])
        }
    }

    /// Realistic values: remaining + used = limit, cents to dollars, a
    /// date-time without fractional seconds, a limit that is not enforced.
    @Test func valuesMapToLimitRemainingDollarsAndTimestamps() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, F.envelope(#"{"quota": 75, "quota_usage": 25, "reset_time": "2026-06-01T00:00:00Z"}"#))
            fake.serve(F.accountA, F.buildsPath, F.envelope(#"{"build_minutes_refresh_on": "2026-06-01T00:00:00.5+02:00", "has_reached_build_minutes_limit": false}"#))
            fake.serve(F.accountA, F.aiGatewayPath, F.envelope(#"{"config": {"amount": 2550, "duration": "monthly", "strategy": "fixed"}, "enabled": false}"#))

            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL)))

            let a = F.accountA
            #expect(outcome.lines.filter { !$0.hasPrefix("quota_exporter") } == [
                "quota_enforced{\(F.aiGateway(a))} 0",
                "quota_exhausted{\(F.dex(a))} 0",
                "quota_exhausted{\(F.builds(a))} 0",
                "quota_info{\(F.aiGateway(a)),duration=\"monthly\",strategy=\"fixed\"} 1",
                "quota_limit{\(F.aiGateway(a))} 25.5",
                "quota_limit{\(F.dex(a))} 100",
                "quota_remaining{\(F.dex(a))} 75",
                "quota_reset_timestamp_seconds{\(F.dex(a))} 1780272000",
                "quota_reset_timestamp_seconds{\(F.builds(a))} 1780264800.5",
                "quota_usage{\(F.dex(a))} 25",
            ])
            #expect(outcome.lines.filter { $0.hasPrefix("quota_exporter_collector_up") }.allSatisfy { $0.hasSuffix(" 1") })
        }
    }

    /// Paid plans get no Builds fields; an account without a spending limit
    /// may get `result: null`; a DEX answer may lack the reset time. What
    /// is absent gives no series, never a zero, and the target is up.
    @Test func missingFieldsAndNullResultGiveNoSeriesButUp() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, #"{"success": true, "result": {"quota_usage": 3, "unknown_field": [1, 2]}}"#)
            fake.serve(F.accountA, F.buildsPath, #"{"errors": [], "messages": ["string"], "result": {}, "success": true}"#)
            fake.serve(F.accountA, F.aiGatewayPath, #"{"errors": [], "messages": [], "result": null, "success": true}"#)

            let outcome = try await ProviderUnderTest().collect(config(entry(F.accountA, token: F.tokenA, base: fake.baseURL)))

            let a = F.accountA
            #expect(outcome.lines == [
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "ai_gateway_spending"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "dex_commands"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "workers_builds"))} 1700000000",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 1",
                "quota_usage{\(F.dex(a))} 3",
            ])
        }
    }

    /// `result` absent altogether and `errors`/`messages` given as strings
    /// or not at all: still a success.
    @Test func envelopeWithoutResultOrWithStringMessagesIsLenient() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.aiGatewayPath, #"{"success": true, "errors": ["odd but harmless"], "messages": "not a list"}"#)
            fake.serve(F.accountA, F.buildsPath, #"{"success": true, "result": {"has_reached_build_minutes_limit": true}}"#)

            let outcome = try await ProviderUnderTest().collect(config(
                entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["ai_gateway_spending", "workers_builds"])
            ))

            let a = F.accountA
            #expect(outcome.lines == [
                "quota_exhausted{\(F.builds(a))} 1",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "ai_gateway_spending"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "workers_builds"))} 1700000000",
                "quota_exporter_collector_up{\(F.target(a, "ai_gateway_spending"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "workers_builds"))} 1",
            ])
            #expect(fake.requestCount(F.accountA, F.dexPath) == 0, "a collector left out of `collectors` is never called")
        }
    }

    /// One token, several accounts: each account its own series and
    /// targets, all calls with the same bearer token.
    @Test func severalAccountsOnOneToken() async throws {
        try await withFake { fake in
            for account in [F.accountA, F.accountB] {
                fake.allow(account, .token(F.tokenA))
            }
            fake.serve(F.accountA, F.dexPath, F.envelope(#"{"quota": 10, "quota_usage": 90, "reset_time": "2026-06-01T00:00:00Z"}"#))
            fake.serve(F.accountB, F.dexPath, F.envelope(#"{"quota": 0, "quota_usage": 100, "reset_time": "2026-06-01T00:00:00.000Z"}"#))

            let outcome = try await ProviderUnderTest().collect(config(
                entry(F.accountA, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"]),
                entry(F.accountB, token: F.tokenA, base: fake.baseURL, collectors: ["dex_commands"])
            ))

            let (a, b) = (F.accountA, F.accountB)
            #expect(outcome.lines == [
                "quota_exhausted{\(F.dex(b))} 1",
                "quota_exhausted{\(F.dex(a))} 0",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(b, "dex_commands"))} 1700000000",
                "quota_exporter_collector_last_success_timestamp_seconds{\(F.target(a, "dex_commands"))} 1700000000",
                "quota_exporter_collector_up{\(F.target(b, "dex_commands"))} 1",
                "quota_exporter_collector_up{\(F.target(a, "dex_commands"))} 1",
                "quota_limit{\(F.dex(b))} 100",
                "quota_limit{\(F.dex(a))} 100",
                "quota_remaining{\(F.dex(b))} 0",
                "quota_remaining{\(F.dex(a))} 10",
                "quota_reset_timestamp_seconds{\(F.dex(b))} 1780272000",
                "quota_reset_timestamp_seconds{\(F.dex(a))} 1780272000",
                "quota_usage{\(F.dex(b))} 100",
                "quota_usage{\(F.dex(a))} 90",
            ])
        }
    }

    /// The legacy scheme sends `X-Auth-Email` and `X-Auth-Key`, no bearer.
    @Test func globalAPIKeyAuthentication() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .globalKey(email: F.email, key: F.globalKey))
            fake.serve(F.accountA, F.buildsPath, SeedExamples.workersBuilds)

            let json = config(#"{"account_id": "\#(F.accountA)", "api_email": "\#(F.email)", "api_key_file": "/run/secrets/cf-key", "base_url": "\#(fake.baseURL)", "collectors": ["workers_builds"]}"#)
            let provider = ProviderUnderTest()
            let targets = try provider.targets(json, environment: .inMemory(files: ["/run/secrets/cf-key": F.globalKey + "\n"]))
            let outcome = await provider.collect(targets)

            #expect(outcome.lines.contains("quota_exporter_collector_up{\(F.target(F.accountA, "workers_builds"))} 1"))
            #expect(outcome.lines.contains("quota_exhausted{\(F.builds(F.accountA))} 1"))
            #expect(!outcome.logs.joined().contains(F.globalKey))
        }
    }
}
