import Foundation
import QuotaCloudflare
import QuotaCollection
import Testing

/// The case issue 12 found end to end: accounts whose Cloudflare API hangs
/// next to healthy ones behind the same token. Every healthy account is
/// collected while the hanging ones still wait. Before, the hanging
/// collections held all four slots of one queue until their request
/// timeouts, and the healthy ones could only follow.
///
/// On ordering rather than on a deadline: the fake answers from the
/// cooperative pool, which other suites can starve for many seconds (the
/// deadline version of this test is `IsolationTests`, against a Python
/// server).
@Suite struct HangingAccountTests {
    typealias F = Fixture

    @Test func healthyAccountsAreCollectedWhileHangingOnesWait() async throws {
        try await withFake { fake in
            let hanging = (0..<2).map { String(format: "%032x", 0xdead0000 + $0) }
            let healthy = (0..<6).map { String(format: "%032x", 0xbeef0000 + $0) }
            let paths = [F.dexPath, F.buildsPath, F.aiGatewayPath]
            for account in hanging {
                fake.allow(account, .token(F.tokenA))
                for path in paths {
                    fake.serve(account, path, FakeCloudflare.Reply(body: SeedExamples.dexCommands, delay: 300))
                }
            }
            for account in healthy {
                fake.allow(account, .token(F.tokenA))
                fake.serve(account, F.dexPath, SeedExamples.dexCommands)
                fake.serve(account, F.buildsPath, SeedExamples.workersBuilds)
                fake.serve(account, F.aiGatewayPath, SeedExamples.aiGatewaySpending)
            }
            let provider = ProviderUnderTest(clientSettings: fastClientSettings(requestTimeout: 150))
            let targets = try provider.targets(
                config((hanging + healthy).map { entry($0, token: F.tokenA, base: fake.baseURL) }),
                settings: CollectionSettings(minInterval: 60, maxStaleness: 600, timeout: 300))
            #expect(targets.count == 24)
            // The defaults, as the exporter runs them.
            let cache = CollectionCache(targets: targets, logger: provider.logger)

            _ = await cache.refresh(deadline: .now + .milliseconds(100))
            let healthyUp = { () async -> Bool in
                await cache.snapshot().targets.filter { healthy.contains($0.identity.account) }.allSatisfy { $0.up == true }
            }
            var collected = false
            for _ in 0..<1500 where !collected {
                collected = await healthyUp()
                if !collected { try await Task.sleep(nanoseconds: 40_000_000) }
            }
            let snapshot = await cache.snapshot()
            #expect(collected, "\(snapshot.targets.filter { healthy.contains($0.identity.account) && $0.up != true }.map(\.identity))")
            #expect(snapshot.targets.filter { healthy.contains($0.identity.account) }.count == 18)
            #expect(snapshot.targets.filter { hanging.contains($0.identity.account) }.allSatisfy { $0.refreshing && $0.up == nil },
                    "the healthy ones did not wait for the hanging ones")
        }
    }
}

private func config(_ entries: [String]) -> String {
    "{\"cloudflare\": [" + entries.joined(separator: ", ") + "]}"
}
