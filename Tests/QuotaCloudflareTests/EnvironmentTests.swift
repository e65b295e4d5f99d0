import QuotaCollection
import QuotaConfig
import Testing

/// Running without a configuration file: accounts from the environment.
@Suite struct EnvironmentTests {
    typealias F = Fixture

    func targets(_ variables: [String: String], files: [String: String] = [:]) throws(ConfigError) -> [Target] {
        try ProviderUnderTest().provider.environmentTargets(.inMemory(variables: variables, files: files), common: TargetCommon(path: "environment"))
    }

    func error(_ variables: [String: String], files: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try targets(variables, files: files)
            return nil
        } catch {
            return error
        }
    }

    @Test func noCloudflareVariablesMeansNoTargets() throws {
        #expect(try targets(["HOME": "/root", "CLOUDFLARE_ACCOUNT_ID": ""]).isEmpty)
    }

    @Test func commaSeparatedAccountsOnOneToken() throws {
        let found = try targets(["CLOUDFLARE_API_TOKEN": F.tokenA, "CLOUDFLARE_ACCOUNT_ID": " \(F.accountA), \(F.accountB)"])
        #expect(found.map(\.identity.description) == [
            "cloudflare/\(F.accountA)/dex_commands", "cloudflare/\(F.accountA)/workers_builds", "cloudflare/\(F.accountA)/ai_gateway_spending",
            "cloudflare/\(F.accountB)/dex_commands", "cloudflare/\(F.accountB)/workers_builds", "cloudflare/\(F.accountB)/ai_gateway_spending",
        ])
    }

    @Test func halfSetEnvironmentNamesTheMissingVariable() {
        #expect(error(["CLOUDFLARE_API_TOKEN": F.tokenA]) == ConfigError(
            path: "environment",
            message: "Cloudflare credentials are set but CLOUDFLARE_ACCOUNT_ID is not: set it to the account ID (comma-separated for several accounts)"
        ))
        #expect(error(["CLOUDFLARE_ACCOUNT_ID": F.accountA]) == ConfigError(
            path: "environment",
            message: "CLOUDFLARE_ACCOUNT_ID is set but CLOUDFLARE_API_TOKEN is not: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_API_TOKEN_FILE), or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY"
        ))
        #expect(error(["CLOUDFLARE_ACCOUNT_ID": F.accountA, "CLOUDFLARE_EMAIL": F.email]) == ConfigError(
            path: "environment", message: "CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY is not (or set CLOUDFLARE_API_TOKEN instead)"
        ))
        #expect(error(["CLOUDFLARE_ACCOUNT_ID": F.accountA, "CLOUDFLARE_API_KEY": F.globalKey]) == ConfigError(
            path: "environment", message: "CLOUDFLARE_API_KEY is set but CLOUDFLARE_EMAIL is not: a Global API key needs its user's email"
        ))
        #expect(error(["CLOUDFLARE_ACCOUNT_ID": F.accountA, "CLOUDFLARE_API_TOKEN": "x", "CLOUDFLARE_API_TOKEN_FILE": "/f"]) == ConfigError(
            path: "environment", message: "set either CLOUDFLARE_API_TOKEN or CLOUDFLARE_API_TOKEN_FILE, not both"
        ))
    }

    @Test func badOrRepeatedAccountIDsAreNamedByPosition() {
        let bad = error(["CLOUDFLARE_API_TOKEN": F.tokenA, "CLOUDFLARE_ACCOUNT_ID": "\(F.accountA),\(F.tokenA)"])
        #expect(bad == ConfigError(
            path: "environment",
            message: "CLOUDFLARE_ACCOUNT_ID, item 2: expected a Cloudflare account ID: 32 lowercase hex characters, found 40 characters"
        ))
        #expect(error(["CLOUDFLARE_API_TOKEN": F.tokenA, "CLOUDFLARE_ACCOUNT_ID": "\(F.accountA),"])?.message.hasPrefix("CLOUDFLARE_ACCOUNT_ID, item 2: ") == true)
        #expect(error(["CLOUDFLARE_API_TOKEN": F.tokenA, "CLOUDFLARE_ACCOUNT_ID": "\(F.accountA),\(F.accountA)"]) == ConfigError(
            path: "environment", message: "CLOUDFLARE_ACCOUNT_ID, item 2: account \(F.accountA) is listed twice"
        ))
        #expect(error(["CLOUDFLARE_API_TOKEN": F.tokenA, "CLOUDFLARE_ACCOUNT_ID": F.accountA, "CLOUDFLARE_BASE_URL": "api.cloudflare.com"]) == ConfigError(
            path: "environment", message: "CLOUDFLARE_BASE_URL: expected an absolute http:// or https:// URL with a host"
        ))
    }

    /// The whole path: token from a file, accounts and base URL from the
    /// environment, collected from the fake.
    @Test func environmentAccountsAreCollected() async throws {
        try await withFake { fake in
            for account in [F.accountA, F.accountB] {
                fake.allow(account, .token(F.tokenA))
                fake.serve(account, F.dexPath, SeedExamples.dexCommands)
                fake.serve(account, F.buildsPath, SeedExamples.workersBuilds)
                fake.serve(account, F.aiGatewayPath, SeedExamples.aiGatewaySpending)
            }
            let provider = ProviderUnderTest()
            let targets = try provider.provider.environmentTargets(.inMemory(
                variables: [
                    "CLOUDFLARE_API_TOKEN_FILE": "/run/secrets/cf",
                    "CLOUDFLARE_ACCOUNT_ID": "\(F.accountA),\(F.accountB)",
                    "CLOUDFLARE_BASE_URL": fake.baseURL,
                ],
                files: ["/run/secrets/cf": F.tokenA + "\n"]
            ), common: TargetCommon(path: "environment"))
            let outcome = await provider.collect(targets)
            #expect(outcome.lines.filter { $0.hasPrefix("quota_exporter_collector_up") && $0.hasSuffix(" 1") }.count == 6)
            #expect(outcome.lines.contains("quota_exhausted{\(F.builds(F.accountB))} 1"))
            #expect(fake.requests.count == 6)
        }
    }

    /// When a shell carries both, the API token is used, not the Global API key.
    @Test func tokenWinsOverGlobalKey() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.serve(F.accountA, F.dexPath, SeedExamples.dexCommands)
            let provider = ProviderUnderTest()
            let targets = try provider.provider.environmentTargets(.inMemory(variables: [
                "CLOUDFLARE_API_TOKEN": F.tokenA, "CLOUDFLARE_EMAIL": F.email, "CLOUDFLARE_API_KEY": F.globalKey,
                "CLOUDFLARE_ACCOUNT_ID": F.accountA, "CLOUDFLARE_BASE_URL": fake.baseURL,
            ]), common: TargetCommon(path: "environment")).filter { $0.identity.collector == "dex_commands" }
            let outcome = await provider.collect(targets)
            #expect(outcome.lines.contains("quota_exporter_collector_up{\(F.target(F.accountA, "dex_commands"))} 1"))
        }
    }
}
