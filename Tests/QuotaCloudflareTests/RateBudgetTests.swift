@testable import QuotaCloudflare
import QuotaCollection
import QuotaConfig
import Testing

/// One credential stays under half of Cloudflare's 1200 calls per 5
/// minutes: the default min_interval is raised for accounts sharing it, and
/// an explicit one that does not fit is warned about at load time.
@Suite struct RateBudgetTests {
    typealias F = Fixture

    /// `count` distinct account IDs.
    func accounts(_ count: Int, seed: Int = 0) -> [String] {
        (0..<count).map { index in
            let hex = String(seed * 1000 + index, radix: 16)
            return String(repeating: "0", count: 32 - hex.count) + hex
        }
    }

    func entries(_ accounts: [String], token: String, extra: String = "") -> [String] {
        accounts.map { #"{"account_id": "\#($0)", "api_token": "\#(token)"\#(extra)}"# }
    }

    func warnings(_ json: String, settings: CollectionSettings = CollectionSettings()) async throws -> [String] {
        let provider = ProviderUnderTest()
        let targets = try provider.targets(json, settings: settings)
        await provider.provider.configurationApplied(targets)
        return provider.sink.lines.filter { $0.contains("may exceed the API rate limit") }
    }

    func config(_ entries: [String]) -> String {
        "{\"cloudflare\": [" + entries.joined(separator: ", ") + "]}"
    }

    /// 40 accounts × 3 endpoints every 60 s = 600 calls per 5 minutes: at
    /// the warning level, not over it.
    @Test func fortyAccountsAtTheDefaultIntervalAreFine() async throws {
        #expect(try await warnings(config(entries(accounts(40), token: F.tokenA))).isEmpty)
    }

    /// Any number of accounts at the defaults: the interval grows instead.
    @Test(arguments: [41, 45, 1000])
    func manyAccountsAtTheDefaultsGetALongerInterval(count: Int) async throws {
        let provider = ProviderUnderTest()
        let targets = try provider.targets(config(entries(accounts(count), token: F.tokenA)))
        let expected = (Double(count * 3) * 300 / 600).rounded(.up)
        #expect(targets.allSatisfy { $0.settings.minInterval == expected })
        #expect(targets.allSatisfy { $0.settings.maxStaleness == max(600, 2 * expected) }, "values must not vanish between refreshes")
        let callsPer5m = targets.reduce(0) { $0 + 300 / $1.settings.minInterval }
        #expect(callsPer5m <= 600, "well under Cloudflare's 1200 per 5 minutes")
        await provider.provider.configurationApplied(targets)
        #expect(!provider.sink.lines.contains { $0.contains("may exceed the API rate limit") })
        let raised = try #require(provider.sink.lines.first { $0.contains("min_interval raised") })
        #expect(raised.contains("targets=\(count * 3) min_interval=\(Int(expected))s"))
        #expect(!raised.contains(F.tokenA))
    }

    /// Accounts with their own token keep their own budget and the default.
    @Test func onlyTheCrowdedCredentialIsSlowedDown() async throws {
        let provider = ProviderUnderTest()
        let targets = try provider.targets(config(entries(accounts(50), token: F.tokenA) + entries(accounts(2, seed: 1), token: F.tokenB)))
        #expect(targets.filter { $0.settings.minInterval == 75 }.count == 150)
        #expect(targets.filter { $0.settings.minInterval == 60 }.count == 6)
    }

    @Test func anExplicitMinIntervalThatDoesNotFitWarnsWithAnInterval() async throws {
        let explicit = CollectionSettings(minIntervalIsExplicit: true)
        let found = try await warnings(config(entries(accounts(41), token: F.tokenA)), settings: explicit)
        #expect(found.count == 1)
        let line = try #require(found.first)
        #expect(line.contains("accounts=41 targets=123 calls_per_5m=615 limit_per_5m=1200 suggested_min_interval=62s"))
        #expect(line.contains("credential=cloudflare:"))
        #expect(!line.contains(F.tokenA))
    }

    /// The budget is per credential: two tokens with 30 accounts each are fine.
    @Test func budgetIsCountedPerCredential() async throws {
        let json = config(entries(accounts(30), token: F.tokenA) + entries(accounts(30, seed: 1), token: F.tokenB))
        #expect(try await warnings(json).isEmpty)
    }

    /// A longer min_interval buys room; a shorter one uses it up.
    @Test func minIntervalChangesTheBudget() async throws {
        let many = config(entries(accounts(100), token: F.tokenA))
        #expect(try await warnings(many, settings: CollectionSettings(minInterval: 300, maxStaleness: 900)).isEmpty)
        let few = config(entries(accounts(5), token: F.tokenA))
        #expect(try await warnings(few, settings: CollectionSettings(minInterval: 1, minIntervalIsExplicit: true)).count == 1)
    }

    /// Two replicas poll the same accounts with the same token: each gets
    /// half of the 600, so 20 accounts (300 calls per replica) fit and 21 do
    /// not. Before `--cluster.replicas` both replicas took 600 each and
    /// together reached Cloudflare's whole limit.
    @Test func twoReplicasShareTheBudget() async throws {
        let fits = ProviderUnderTest(replicas: 2)
        let twenty = try fits.targets(config(entries(accounts(20), token: F.tokenA)))
        #expect(twenty.allSatisfy { $0.settings.minInterval == 60 })

        let crowded = ProviderUnderTest(replicas: 2)
        let targets = try crowded.targets(config(entries(accounts(40), token: F.tokenA)))
        // 120 targets, 300 calls allowed per replica: 120 × 300 s / 300 = 120 s.
        #expect(targets.allSatisfy { $0.settings.minInterval == 120 })
        let perReplica = targets.reduce(0) { $0 + 300 / $1.settings.minInterval }
        #expect(perReplica * 2 <= 600, "both replicas together stay under half of Cloudflare's 1200")
        let raised = try #require(crowded.sink.lines.first { $0.contains("min_interval raised") })
        #expect(raised.contains("targets=120 min_interval=120s limit_per_5m=1200 replicas=2"))
    }

    @Test func anExplicitMinIntervalIsWarnedAboutWithTheReplicasCounted() async throws {
        let provider = ProviderUnderTest(replicas: 3)
        let targets = try provider.targets(config(entries(accounts(20), token: F.tokenA)), settings: CollectionSettings(minIntervalIsExplicit: true))
        await provider.provider.configurationApplied(targets)
        let line = try #require(provider.sink.lines.first { $0.contains("may exceed the API rate limit") })
        // 60 targets × 5 = 300 per replica, 900 for three, over 600; 200 allowed each: 60 × 300 / 200 = 90 s.
        #expect(line.contains("accounts=20 targets=60 calls_per_5m=300 limit_per_5m=1200 replicas=3 calls_per_5m_all_replicas=900 suggested_min_interval=90s"))
    }

    @Test(arguments: [1, 2, 4, 7])
    func theBudgetSplitsEvenly(replicas: Int) {
        let budget = CloudflareRateBudget(scope: "s", targets: 30, accounts: 10, callsPerWindow: 150, replicas: replicas)
        #expect(budget.callsAllowedPerWindow * Double(replicas) == 600)
        #expect(budget.exceedsWarningLevel == (150 > 600 / Double(replicas)))
        #expect(Double(budget.suggestedMinInterval) >= 30 * 300 * Double(replicas) / 600)
    }
}
