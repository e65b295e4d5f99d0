import Foundation
import QuotaCloudflare
import QuotaCollection
import Testing

/// The case issue 12 found end to end: accounts whose Cloudflare API hangs
/// next to healthy ones behind the same token. The healthy accounts' data
/// is in the first scrape. Before, the hanging collections held all four
/// slots of one queue until their request timeouts (2.2–11 s after start),
/// past a first scrape's deadline.
@Suite struct HangingAccountTests {
    typealias F = Fixture

    @Test func hangingAccountsDoNotHoldBackTheFirstScrape() async throws {
        try await withFake { fake in
            let hanging = (0..<2).map { String(format: "%032x", 0xdead0000 + $0) }
            let healthy = (0..<6).map { String(format: "%032x", 0xbeef0000 + $0) }
            let paths = [F.dexPath, F.buildsPath, F.aiGatewayPath]
            for account in hanging {
                fake.allow(account, .token(F.tokenA))
                for path in paths {
                    fake.serve(account, path, FakeCloudflare.Reply(body: SeedExamples.dexCommands, delay: 60))
                }
            }
            for account in healthy {
                fake.allow(account, .token(F.tokenA))
                fake.serve(account, F.dexPath, SeedExamples.dexCommands)
                fake.serve(account, F.buildsPath, SeedExamples.workersBuilds)
                fake.serve(account, F.aiGatewayPath, SeedExamples.aiGatewaySpending)
            }
            let provider = ProviderUnderTest(clientSettings: fastClientSettings(requestTimeout: 30))
            let targets = try provider.targets(config((hanging + healthy).map { entry($0, token: F.tokenA, base: fake.baseURL) }))
            #expect(targets.count == 24)
            // The defaults, as the exporter runs them.
            let cache = CollectionCache(targets: targets, logger: provider.logger)

            let first = await cache.refresh(deadline: .now + .seconds(3))
            let good = first.targets.filter { healthy.contains($0.identity.account) }
            #expect(good.count == 18)
            #expect(good.allSatisfy { $0.up == true }, "\(good.filter { $0.up != true }.map(\.identity))")
            #expect(first.targets.filter { hanging.contains($0.identity.account) }.allSatisfy { $0.refreshing })
        }
    }
}

private func config(_ entries: [String]) -> String {
    "{\"cloudflare\": [" + entries.joined(separator: ", ") + "]}"
}
