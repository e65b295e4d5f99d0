import QuotaCollection
import QuotaConfig
import Testing

/// The load-time warning when accounts sharing one credential would use
/// more than half of Cloudflare's 1200 calls per 5 minutes.
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

    @Test func fortyOneAccountsOnOneTokenWarnWithAnInterval() async throws {
        let found = try await warnings(config(entries(accounts(41), token: F.tokenA)))
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
        #expect(try await warnings(few, settings: CollectionSettings(minInterval: 1)).count == 1)
    }
}
