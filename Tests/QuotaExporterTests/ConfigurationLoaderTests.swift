import Foundation
import QuotaCollection
import QuotaConfig
import QuotaExporter
import Testing

private func load(_ json: String) throws(ConfigError) -> ExporterConfiguration {
    let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
    let loader = ConfigurationLoader(providers: providers, environment: .inMemory())
    return try loader.parse(ConfigObject.parse(Array(json.utf8), environment: .inMemory()), source: "test")
}

private func error(_ json: String) -> ConfigError? {
    do {
        _ = try load(json)
        return nil
    } catch {
        return error
    }
}

@Suite struct ConfigurationLoaderTests {
    @Test func exampleConfigurationIsValid() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/config.yaml")
        let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
        let configuration = try ConfigurationLoader(providers: providers).load(file: url.standardized.path)
        #expect(configuration.targets.isEmpty == false)
    }

    /// The Cloudflare and Huawei Cloud examples load with stand-in secrets
    /// (examples/zitadel.yaml is checked in QuotaZitadelTests, with a real key).
    @Test func providerExamplesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized.path
        let secrets = [
            "cloudflare-api-token", "cloudflare-global-api-key", "huaweicloud_sk", "huaweicloud_iam_password", "sts_ak", "sts_sk", "sts_token",
        ]
        var files = Dictionary(uniqueKeysWithValues: secrets.map { ("/run/secrets/\($0)", "stand-in-secret-0123456789") })
        for name in ["cloudflare.yaml", "huaweicloud-ces.yaml"] {
            files["\(root)/\(name)"] = try String(contentsOfFile: "\(root)/\(name)", encoding: .utf8)
        }
        let environment = ConfigEnvironment.inMemory(
            variables: ["CLOUDFLARE_API_TOKEN": "t0ken", "CLOUDFLARE_EMAIL": "ops@example.com", "HUAWEICLOUD_SDK_AK": "ak"], files: files)
        let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
        let loader = ConfigurationLoader(providers: providers, environment: environment)
        #expect(try loader.load(file: "\(root)/cloudflare.yaml").targets.contains { $0.identity.account == "fedcba9876543210fedcba9876543210" })
        #expect(try loader.load(file: "\(root)/huaweicloud-ces.yaml").targets.isEmpty == false)
    }

    /// A YAML file's validation errors name the field path, as JSON's do,
    /// and also its line and column.
    @Test func yamlValidationErrorsNameFieldLineAndColumn() {
        let files = [
            "/etc/q.yaml": "static:\n  - account: a\n    quotas:\n      - quota: q\n        unit: 007\n",
            "/etc/typo.yaml": "statik: []\n",
            "/etc/nested.yaml": "static:\n  - account: a\n    quotas: []\n    acount: b\n",
            "/etc/q.json": #"{"static": [{"account": "a", "quotas": [{"quota": "q", "unit": 7}]}]}"#,
        ]
        let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
        let loader = ConfigurationLoader(providers: providers, environment: .inMemory(files: files))
        func failure(_ path: String) -> ConfigError? {
            do {
                _ = try loader.load(file: path)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("/etc/q.yaml")?.description == "static[0].quotas[0].unit (line 5, column 9): expected a string, found a number (YAML reads an unquoted value with a sign, leading zeros, 0x, 0o, a fraction or an exponent as a number that does not keep its text: put it in quotes)")
        #expect(failure("/etc/q.json")?.description == "static[0].quotas[0].unit: expected a string, found a number")
        #expect(failure("/etc/typo.yaml")?.description.hasPrefix(#"line 1, column 1: unknown key "statik", did you mean "static"?"#) == true)
        #expect(failure("/etc/nested.yaml")?.description.hasPrefix(#"static[0] (line 4, column 5): unknown key "acount", did you mean "account"?"#) == true)
    }

    /// The loader lets a provider settle its targets as a set: 50
    /// Cloudflare accounts on one token from the environment alone get a
    /// min_interval that keeps the token at 600 calls per 5 minutes; an
    /// explicit global min_interval is left as written.
    @Test func providersSettleTheirTargetsAsASet() throws {
        let ids = (0..<50).map { String(format: "%032x", $0) }.joined(separator: ",")
        let environment = ConfigEnvironment.inMemory(variables: ["CLOUDFLARE_API_TOKEN": "t0ken", "CLOUDFLARE_ACCOUNT_ID": ids])
        let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
        let loader = ConfigurationLoader(providers: providers, environment: environment)
        let fromEnvironment = try loader.loadFromEnvironment()
        #expect(fromEnvironment.targets.count == 150)
        #expect(fromEnvironment.targets.allSatisfy { $0.settings.minInterval == 75 })

        let entries = (0..<50).map { #"{"account_id": "\#(String(format: "%032x", $0))", "api_token": "t0ken"}"# }.joined(separator: ",")
        let explicit = try load(#"{"global": {"min_interval": "30s"}, "cloudflare": [\#(entries)]}"#)
        #expect(explicit.targets.allSatisfy { $0.settings.minInterval == 30 })
    }

    @Test func globalDefaultsAndPerTargetOverrides() throws {
        let configuration = try load("""
        {"global": {"min_interval": "2m", "max_staleness": "20m", "timeout": "5s", "max_concurrency": 2},
         "static": [{"account": "a", "quotas": []}, {"account": "b", "min_interval": "10m", "quotas": []}]}
        """)
        #expect(configuration.maxConcurrency == 2)
        #expect(configuration.targets[0].settings == CollectionSettings(minInterval: 120, maxStaleness: 1200, timeout: 5, minIntervalIsExplicit: true))
        #expect(configuration.targets[1].settings.minInterval == 600)
    }

    /// Requests wait only for their own upstream's slots now, so the
    /// default is the outbound client's own cap and a quarter of it per
    /// origin and credential.
    @Test func concurrencyDefaultsFitNetworkBoundWork() throws {
        let defaults = try load(#"{"static": [{"account": "a", "quotas": []}]}"#)
        #expect(defaults.maxConcurrency == 64)
        #expect(defaults.maxConcurrencyPerUpstream == 16)
        let small = try load(#"{"global": {"max_concurrency": 4}}"#)
        #expect(small.maxConcurrencyPerUpstream == 4)
        let explicit = try load(#"{"global": {"max_concurrency": 32, "max_concurrency_per_upstream": 2}}"#)
        #expect(explicit.maxConcurrency == 32)
        #expect(explicit.maxConcurrencyPerUpstream == 2)
        let tooMany = error(#"{"global": {"max_concurrency": 8, "max_concurrency_per_upstream": 9}}"#)
        #expect(tooMany?.path == "global.max_concurrency_per_upstream")
        #expect(tooMany?.message.contains("at most max_concurrency (8)") == true)
        #expect(error(#"{"global": {"max_concurrency_per_upstream": 0}}"#)?.path == "global.max_concurrency_per_upstream")
        #expect(error(#"{"global": {"max_concurrency": 65}}"#)?.path == "global.max_concurrency")
    }

    @Test func unknownTopLevelKeyNamesKnownProviders() {
        let problem = error(#"{"cloudflair": []}"#)
        #expect(problem?.description.contains("unknown key \"cloudflair\"") == true)
        #expect(problem?.description.contains("known providers: static") == true)
    }

    @Test func unknownKeyInEntryNamesThePath() {
        let problem = error(#"{"static": [{"account": "a", "quotas": [], "acount": "x"}]}"#)
        #expect(problem?.path == "static[0]")
        #expect(problem?.message.contains("acount") == true)
    }

    @Test func duplicateTargetsAreRejected() {
        let problem = error(#"{"static": [{"account": "a", "quotas": []}, {"account": "a", "quotas": []}]}"#)
        #expect(problem?.path == "static[1]")
        #expect(problem?.message.contains("duplicate target static/a/static") == true)
    }

    @Test func staticLabelsMayNotShadowStandardLabels() {
        let problem = error(#"{"static": [{"account": "a", "quotas": [], "labels": {"quota": "x"}}]}"#)
        #expect(problem?.path.hasPrefix("static[0].labels") == true)
        let badName = error(#"{"static": [{"account": "a", "quotas": [], "labels": {"team-name": "x"}}]}"#)
        #expect(badName?.path.hasPrefix("static[0].labels") == true)
    }

    @Test func maxStalenessBelowMinIntervalIsAnError() {
        let problem = error(#"{"global": {"min_interval": "5m", "max_staleness": "1m"}}"#)
        #expect(problem?.path == "global.max_staleness")
    }

    @Test func minIntervalBelowOneSecondIsAnError() {
        let problem = error(#"{"static": [{"account": "a", "quotas": [], "min_interval": "100ms"}]}"#)
        #expect(problem?.path == "static[0].min_interval")
    }

    @Test func wrongTypeNamesFieldAndTypes() {
        let problem = error(#"{"global": {"max_concurrency": "four"}}"#)
        #expect(problem?.path == "global.max_concurrency")
        #expect(problem?.message.contains("expected") == true)
    }

    @Test func staticQuotaDerivesRemainingAndExhausted() throws {
        let configuration = try load(#"{"static": [{"account": "a", "quotas": [{"quota": "q", "unit": "u", "limit": 10, "usage": 10}]}]}"#)
        #expect(configuration.targets.count == 1)
    }

    @Test func staticQuotaRejectsBadTimestamp() {
        let problem = error(#"{"static": [{"account": "a", "quotas": [{"quota": "q", "unit": "u", "reset": "tomorrow"}]}]}"#)
        #expect(problem?.path == "static[0].quotas[0].reset")
    }

    @Test func emptyConfigurationIsValid() throws {
        let configuration = try load("{}")
        #expect(configuration.targets.isEmpty)
    }
}
