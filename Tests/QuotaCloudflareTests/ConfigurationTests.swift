import QuotaCollection
import QuotaConfig
import Testing

/// Configuration entries: what is accepted, and the error for each mistake.
@Suite struct ConfigurationTests {
    typealias F = Fixture

    func error(_ json: String, environment: ConfigEnvironment = .inMemory()) -> ConfigError? {
        do {
            _ = try ProviderUnderTest().targets(json, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func oneTargetPerEndpointByDefault() throws {
        let targets = try ProviderUnderTest().targets(config(#"{"account_id": "\#(F.accountA)", "api_token": "t"}"#))
        #expect(targets.map(\.identity) == [
            TargetIdentity(provider: "cloudflare", account: F.accountA, collector: "dex_commands"),
            TargetIdentity(provider: "cloudflare", account: F.accountA, collector: "workers_builds"),
            TargetIdentity(provider: "cloudflare", account: F.accountA, collector: "ai_gateway_spending"),
        ])
    }

    @Test func collectorsChooseASubset() throws {
        let targets = try ProviderUnderTest().targets(config(#"{"account_id": "\#(F.accountA)", "api_token": "t", "collectors": ["ai_gateway_spending"]}"#))
        #expect(targets.map(\.identity.collector) == ["ai_gateway_spending"])
    }

    @Test func unknownCollectorListsTheAllowedOnes() {
        #expect(error(config(#"{"account_id": "\#(F.accountA)", "api_token": "t", "collectors": ["dex_commands", "dex"]}"#)) == ConfigError(
            path: "cloudflare[0].collectors[1]",
            message: #"expected one of "dex_commands", "workers_builds", "ai_gateway_spending", found "dex""#
        ))
    }

    @Test func collectorsMustBeANonEmptyListWithoutRepeats() {
        #expect(error(config(#"{"account_id": "\#(F.accountA)", "api_token": "t", "collectors": []}"#))
            == ConfigError(path: "cloudflare[0].collectors", message: "must contain at least 1 element"))
        #expect(error(config(#"{"account_id": "\#(F.accountA)", "api_token": "t", "collectors": ["dex_commands", "dex_commands"]}"#))
            == ConfigError(path: "cloudflare[0].collectors", message: "lists a collector twice"))
    }

    /// A token pasted into `account_id` is refused without being repeated.
    @Test func accountIDMustBe32LowercaseHexAndIsNotEchoed() {
        let pasted = error(config(#"{"account_id": "\#(F.tokenA)", "api_token": "t"}"#))
        #expect(pasted == ConfigError(path: "cloudflare[0].account_id", message: "expected a Cloudflare account ID: 32 lowercase hex characters, found 40 characters"))
        #expect(pasted.map { !$0.description.contains(F.tokenA) } == true)
        #expect(error(config(#"{"account_id": "\#(F.accountA.uppercased())", "api_token": "t"}"#)) == ConfigError(
            path: "cloudflare[0].account_id",
            message: "expected a Cloudflare account ID: 32 lowercase hex characters (0-9, a-f), found other characters"
        ))
        #expect(error(config(#"{"api_token": "t"}"#)) == ConfigError(path: "cloudflare[0]", message: #"missing required key "account_id""#))
    }

    @Test func credentialMistakes() {
        let id = #""account_id": "\#(F.accountA)""#
        #expect(error(config("{\(id)}")) == ConfigError(
            path: "cloudflare[0]", message: "missing api_token (or api_token_file); or api_email + api_key for a Global API key"
        ))
        #expect(error(config(#"{\#(id), "api_token": "t", "api_email": "e", "api_key": "k"}"#)) == ConfigError(
            path: "cloudflare[0]", message: "give either api_token or api_email + api_key, not both"
        ))
        #expect(error(config(#"{\#(id), "api_email": "e"}"#)) == ConfigError(
            path: "cloudflare[0]", message: "api_email needs api_key (or api_key_file), the Global API key"
        ))
        #expect(error(config(#"{\#(id), "api_key": "k"}"#)) == ConfigError(
            path: "cloudflare[0]", message: "api_key needs api_email, the email of the key's user"
        ))
        #expect(error(config(#"{\#(id), "api_token": "${CF_TOKEN}"}"#)) == ConfigError(
            path: "cloudflare[0].api_token", message: "environment variable CF_TOKEN is not set"
        ))
        #expect(error(config(#"{\#(id), "api_token_file": "/missing"}"#))?.path == "cloudflare[0].api_token_file")
    }

    @Test func misspelledKeyIsRefusedWithASuggestion() {
        let found = error(config(#"{"account_id": "\#(F.accountA)", "api_token": "t", "base_ulr": "http://x"}"#))
        #expect(found?.path == "cloudflare[0]")
        #expect(found?.message.hasPrefix(#"unknown key "base_ulr", did you mean "base_url"?"#) == true)
    }

    @Test func baseURLMustBeHTTP() {
        #expect(error(config(#"{"account_id": "\#(F.accountA)", "api_token": "t", "base_url": "ftp://example.com"}"#)) == ConfigError(
            path: "cloudflare[0].base_url", message: "expected an absolute http:// or https:// URL with a host"
        ))
    }

    /// `${ENV}` and `*_file` secrets reach the wire; a trailing slash on
    /// `base_url` does not double the slash in the path.
    @Test func secretsFromEnvironmentAndFilesAreSent() async throws {
        try await withFake { fake in
            fake.allow(F.accountA, .token(F.tokenA))
            fake.allow(F.accountB, .token(F.tokenB))
            fake.serve(F.accountA, F.dexPath, SeedExamples.dexCommands)
            fake.serve(F.accountB, F.dexPath, SeedExamples.dexCommands)
            let environment = ConfigEnvironment.inMemory(variables: ["CF_TOKEN": F.tokenA], files: ["/run/secrets/b": F.tokenB + "\n"])
            let provider = ProviderUnderTest()
            let targets = try provider.targets(config(
                #"{"account_id": "\#(F.accountA)", "api_token": "${CF_TOKEN}", "base_url": "\#(fake.baseURL)/", "collectors": ["dex_commands"]}"#,
                #"{"account_id": "\#(F.accountB)", "api_token_file": "/run/secrets/b", "base_url": "\#(fake.baseURL)", "collectors": ["dex_commands"]}"#
            ), environment: environment)
            let outcome = await provider.collect(targets)
            #expect(outcome.lines.filter { $0.hasPrefix("quota_exporter_collector_up") } == [
                "quota_exporter_collector_up{\(F.target(F.accountB, "dex_commands"))} 1",
                "quota_exporter_collector_up{\(F.target(F.accountA, "dex_commands"))} 1",
            ])
            #expect(fake.requests.sorted() == [
                "/client/v4/accounts/\(F.accountB)/dex/commands/quota",
                "/client/v4/accounts/\(F.accountA)/dex/commands/quota",
            ])
        }
    }

    /// `quota_info` of the AI Gateway limit carries these; a static label
    /// of the same name would make the series invalid.
    @Test func infoLabelNamesAreReserved() {
        #expect(ProviderUnderTest().provider.reservedLabels == ["duration", "strategy"])
        #expect(ProviderUnderTest().provider.name == "cloudflare")
    }
}
