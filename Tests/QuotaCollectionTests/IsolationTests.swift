import Foundation
import LoopbackSupport
import QuotaCollection
import QuotaLogging
import Testing

/// A slow or failing upstream slows only its own targets. Every test here
/// failed on the design before: one FIFO of `max_concurrency` (4) slots
/// for whole collections, held through timeouts and backoff sleeps, and
/// `lastAttempt` stamped before a slot was granted.
@Suite struct IsolationTests {
    private static func target(_ account: String, _ collector: any Collector, minInterval: Double = 60, timeout: Double = 60) -> Target {
        Target(
            identity: TargetIdentity(provider: "fake", account: account, collector: "widgets"),
            settings: CollectionSettings(minInterval: minInterval, maxStaleness: 600, timeout: timeout),
            collector: collector,
            // A definition, so a reload that keeps the target keeps its collection in flight.
            definition: TargetDefinition(digest: Array(account.utf8))
        )
    }

    /// N targets whose provider never answers (three credentials, one of
    /// them with more targets than a lane's bound) and M healthy ones, with
    /// the default settings: the first scrape, with Prometheus' default
    /// scrape timeout (10 s, less the 0.5 s offset), has every healthy
    /// target up, the local ones included, while the hanging ones still
    /// wait. Before, the hanging collections took all four slots and the
    /// healthy ones waited for the 120 s request timeout. (Unloaded, they
    /// are all up within about 0.1 s; the deadline is Prometheus' so that a
    /// full `swift test`, which starves the cooperative pool, cannot make
    /// it fail.)
    @Test func hangingUpstreamsDoNotDelayHealthyTargets() async throws {
        let hanging = try await LoopbackServer.start("http")
        let healthy = try await LoopbackServer.start("http")
        let client = testClient(requestTimeout: 120)
        var targets: [Target] = []
        for (credential, count) in [("h1", 20), ("h2", 3), ("h3", 3)] {
            for index in 0..<count {
                targets.append(Self.target(
                    "\(credential)-\(index)", HTTPCollector(client: client, url: hanging.base + "/hold", scope: credential), timeout: 120))
            }
        }
        for index in 0..<20 {
            targets.append(Self.target("ok-\(index)", HTTPCollector(client: client, url: healthy.base + "/", scope: "ok")))
        }
        let reading = QuotaReading(quota: "seats", unit: "seats", limit: 10, usage: 1, remaining: 9)
        targets.append(Self.target("static-1", FakeCollector([.readings([reading])])))
        targets.append(Self.target("static-2", FakeCollector([.readings([reading])])))
        let cache = CollectionCache(targets: targets, logger: .disabled)

        let first = await cache.refresh(deadline: .now + .milliseconds(9500))
        let good = first.targets.filter { !$0.identity.account.hasPrefix("h") }
        #expect(good.count == 22)
        #expect(good.allSatisfy { $0.up == true }, "\(good.filter { $0.up != true }.map(\.identity.account))")
        let stuck = first.targets.filter { $0.identity.account.hasPrefix("h") }
        #expect(stuck.allSatisfy { $0.refreshing && $0.up == nil }, "the hanging ones are still waiting for their provider")
        #expect(cache.slots.inFlight(UpstreamLane(origin: hanging.base, scope: "h1")) == 16, "a lane holds at most its bound")
        #expect(cache.slots.inFlight == 22)
        #expect(cache.slots.waiting == 4, "the rest of that lane waits, holding nothing")

        try await hanging.release()
        #expect(await eventually { await cache.snapshot().targets.allSatisfy { $0.up == true } })
        hanging.stop()
        healthy.stop()
    }

    /// A collection sleeping before a retry holds no slot: with one slot in
    /// all, another target is collected while the first one backs off.
    @Test func aSlotIsNotHeldDuringBackoff() async throws {
        let failing = try await LoopbackServer.start("http")
        let healthy = try await LoopbackServer.start("http")
        let backingOff = Self.target("retrying", HTTPCollector(
            client: testClient(retryBaseDelay: 100), url: failing.base + "/status/500", scope: "s1"))
        let cache = CollectionCache(targets: [backingOff], maxConcurrency: 1, logger: .disabled)
        _ = await cache.refresh(deadline: .now + .milliseconds(100))
        // Its first attempt got its 500: it now sleeps 80-120 s, cut at its 60 s timeout.
        #expect(try await eventually { try await failing.stats()["requests"] == 1 })

        let other = Self.target("other", HTTPCollector(client: testClient(), url: healthy.base + "/", scope: "s2"))
        await cache.replaceTargets([backingOff, other])
        _ = await cache.refresh(deadline: .now + .milliseconds(100))
        let status = { (account: String) in await cache.snapshot().targets.first { $0.identity.account == account } }
        #expect(await eventually { await status("other")?.up == true }, "collected while the other target sleeps")
        #expect(await status("retrying")?.refreshing == true)
        #expect(cache.slots.inFlight == 0, "asleep, it holds no slot")
        #expect(try await failing.stats()["requests"] == 1, "still in its backoff")
        failing.stop()
        healthy.stop()
    }

    /// `min_interval` runs from when the request went out: a target that
    /// waited 30 s for a slot is not due again 60 s after it was started
    /// but 60 s after it called.
    @Test func minIntervalCountsFromTheRealSend() async throws {
        let holding = try await LoopbackServer.start("http")
        let healthy = try await LoopbackServer.start("http")
        let clock = ManualClock()
        let start = clock.now
        let blocker = Self.target("blocker", HTTPCollector(client: testClient(), url: holding.base + "/hold", scope: "s1"))
        let cache = CollectionCache(targets: [blocker], maxConcurrency: 1, logger: .disabled, clock: { clock.now })
        _ = await cache.refresh(deadline: .now + .milliseconds(100))
        #expect(try await eventually { try await holding.stats()["active"] == 1 }, "the only slot is taken")

        let queued = Self.target("queued", HTTPCollector(client: testClient(), url: healthy.base + "/", scope: "s2"), minInterval: 60)
        await cache.replaceTargets([blocker, queued])
        _ = await cache.refresh(deadline: .now + .milliseconds(100))
        clock.advance(30)
        try await holding.release()
        #expect(await eventually { await cache.snapshot().targets.allSatisfy { $0.up == true } })
        #expect(try await healthy.stats()["requests"] == 1)
        let sent = await cache.snapshot().targets.first { $0.identity.account == "queued" }?.lastAttempt
        #expect(sent == start + 30, "stamped when it went out, not when it started waiting")

        clock.advance(30)  // 60 s after the start, 30 s after the call
        _ = await cache.refresh(deadline: .now + .seconds(10))
        #expect(try await healthy.stats()["requests"] == 1, "not due: only 30 s since the provider was called")
        clock.advance(30)
        _ = await cache.refresh(deadline: .now + .seconds(10))
        #expect(try await healthy.stats()["requests"] == 2)
        holding.stop()
        healthy.stop()
    }
}
