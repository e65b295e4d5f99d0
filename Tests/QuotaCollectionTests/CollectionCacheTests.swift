import Foundation
import QuotaCollection
import QuotaExposition
import QuotaLogging
import Testing

private let reading = QuotaReading(quota: "widgets", unit: "widgets", limit: 100, usage: 40, remaining: 60)

private func target(_ collector: FakeCollector, account: String = "a1", settings: CollectionSettings = CollectionSettings()) -> Target {
    Target(identity: TargetIdentity(provider: "fake", account: account, collector: "widgets"), settings: settings, collector: collector)
}

/// Tests whose point is not the deadline use a long one: the suite runs in
/// parallel with tests that block the cooperative pool for seconds.
private func deadline(_ seconds: Double) -> ContinuousClock.Instant {
    .now + .milliseconds(Int(seconds * 1000))
}

@Suite struct CollectionCacheTests {
    @Test func firstScrapeCollectsAndServes() async {
        let fake = FakeCollector([.readings([reading])])
        let cache = CollectionCache(targets: [target(fake)], logger: .disabled)
        let snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets.count == 1)
        #expect(snapshot.targets[0].up == true)
        #expect(snapshot.targets[0].readings == [reading])
        #expect(snapshot.allAttempted)
        #expect(fake.callCount == 1)
    }

    @Test func dataYoungerThanMinIntervalIsServedFromCache() async {
        let clock = ManualClock()
        let fake = FakeCollector([.readings([reading])])
        let cache = CollectionCache(targets: [target(fake, settings: CollectionSettings(minInterval: 60))], logger: .disabled, clock: { clock.now })
        _ = await cache.refresh(deadline: deadline(60))
        clock.advance(59)
        _ = await cache.refresh(deadline: deadline(60))
        #expect(fake.callCount == 1)
        clock.advance(1)
        _ = await cache.refresh(deadline: deadline(60))
        #expect(fake.callCount == 2)
    }

    @Test func concurrentScrapesShareOneUpstreamCall() async {
        let fake = FakeCollector([.readings([reading])], delay: 0.3)
        let cache = CollectionCache(targets: [target(fake)], logger: .disabled)
        async let first = cache.refresh(deadline: deadline(60))
        async let second = cache.refresh(deadline: deadline(60))
        async let third = cache.refresh(deadline: deadline(60))
        let results = await [first, second, third]
        #expect(fake.callCount == 1)
        #expect(results.allSatisfy { $0.targets[0].readings == [reading] })
    }

    @Test func slowCollectionMissesDeadlineAndServesNextScrape() async throws {
        let fake = FakeCollector([.readings([reading])], delay: 0.8)
        let cache = CollectionCache(targets: [target(fake)], logger: .disabled)
        let early = await cache.refresh(deadline: deadline(0.2))
        // Returned before the collection ended: no elapsed-time bound, which
        // a loaded machine would make flaky, but the state proves it.
        #expect(early.targets[0].readings.isEmpty)
        #expect(early.targets[0].up == nil)
        #expect(early.targets[0].refreshing)
        var later = await cache.refresh(deadline: deadline(0.2))
        for _ in 0..<100 where later.targets[0].refreshing {
            try await Task.sleep(nanoseconds: 50_000_000)
            later = await cache.refresh(deadline: deadline(0.2))
        }
        #expect(later.targets[0].readings == [reading])
        #expect(fake.callCount == 1, "the late result is used, not collected again")
    }

    /// A hanging provider costs the first scrape its deadline, not every
    /// scrape until its requests time out: once one scrape was answered
    /// without the collection, the next does not wait for it (before, it
    /// waited until this one ended, 20 s later, and so found it done).
    @Test func aScrapeDoesNotWaitAgainForACollectionAnEarlierScrapeGaveUpOn() async {
        let hanging = FakeCollector([.readings([reading])], delay: 20)
        let healthy = FakeCollector([.readings([reading])])
        let cache = CollectionCache(targets: [target(hanging, account: "a1"), target(healthy, account: "a2")], logger: .disabled)
        let first = await cache.refresh(deadline: deadline(0.3))
        #expect(first.targets[0].refreshing)
        // On a loaded machine the healthy one may miss 0.3 s as well; that
        // it is up by the second scrape is the point, not how soon.
        #expect(await eventually { await cache.snapshot().targets[1].up == true })
        let second = await cache.refresh(deadline: deadline(60))
        #expect(second.targets[0].refreshing, "the second scrape waited for the hanging collection")
        #expect(second.targets[0].readings.isEmpty)
        #expect(second.targets[1].up == true)
        #expect(second.targets[1].readings == [reading])
        #expect(hanging.callCount == 1)
    }

    /// A collection that timed out marks its provider as hanging: the next
    /// attempt is started but not waited for (before, with a `min_interval`
    /// below the timeout, every scrape that found it due waited again);
    /// once one succeeds, the target is waited for as usual.
    @Test func afterATimeoutTheNextAttemptIsNotWaitedForUntilOneSucceeds() async throws {
        let clock = ManualClock()
        let fake = FakeCollector([.readings([reading])], delay: 20)
        let cache = CollectionCache(
            targets: [target(fake, settings: CollectionSettings(minInterval: 60, timeout: 0.3))], logger: .disabled, clock: { clock.now })
        var snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets[0].lastError?.reason == .timeout, "the first attempt is waited for until it times out")
        #expect(!snapshot.targets[0].refreshing)

        clock.advance(60)
        snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets[0].refreshing, "the scrape waited for the attempt after a timeout")
        #expect(await eventually { await cache.snapshot().targets[0].errorsTotal[.timeout] == 2 })
        #expect(fake.callCount == 2)

        fake.setDelay(0)
        clock.advance(60)
        _ = await cache.refresh(deadline: deadline(60))
        #expect(await eventually { await cache.snapshot().targets[0].up == true }, "it recovers without anyone waiting")
        clock.advance(60)
        // Long enough that a scrape not waiting would see it refreshing;
        // whether it beats the 0.3 s timeout on a loaded machine is beside
        // the point (it was waited for either way).
        fake.setDelay(0.2)
        snapshot = await cache.refresh(deadline: deadline(60))
        #expect(!snapshot.targets[0].refreshing, "after a success it is waited for again")
        #expect(fake.callCount == 4)
    }

    /// Giving up on one collection is not giving up on the target: once it
    /// has succeeded, its next attempt is waited for as usual.
    @Test func theAttemptAfterOneGivenUpOnThatSucceededIsWaitedFor() async throws {
        let clock = ManualClock()
        let fake = FakeCollector([.readings([reading])], delay: 0.6)
        let cache = CollectionCache(targets: [target(fake)], logger: .disabled, clock: { clock.now })
        var snapshot = await cache.refresh(deadline: deadline(0.1))
        #expect(snapshot.targets[0].refreshing)
        for _ in 0..<200 where snapshot.targets[0].refreshing {
            try await Task.sleep(nanoseconds: 50_000_000)
            snapshot = await cache.refresh(deadline: deadline(0.1))
        }
        #expect(snapshot.targets[0].readings == [reading])
        fake.setDelay(0.3)
        clock.advance(60)
        snapshot = await cache.refresh(deadline: deadline(60))
        #expect(!snapshot.targets[0].refreshing, "the new attempt was not waited for")
        #expect(snapshot.targets[0].up == true)
        #expect(fake.callCount == 2)
    }

    @Test func collectionTimeoutIsAnErrorWithReasonTimeout() async {
        let fake = FakeCollector([.readings([reading])])
        fake.stubbornDelay = 1.5
        let cache = CollectionCache(targets: [target(fake, settings: CollectionSettings(timeout: 0.2))], logger: .disabled)
        let snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets[0].up == false)
        #expect(snapshot.targets[0].lastError?.reason == .timeout)
        #expect(snapshot.targets[0].errorsTotal[.timeout] == 1)
    }

    @Test func failureKeepsLastGoodValuesUntilMaxStaleness() async {
        let clock = ManualClock()
        let sink = MemoryLogSink()
        let fake = FakeCollector([
            .readings([reading]),
            .failure(CollectorError(.auth, "Forbidden (code 10000)", statusCode: 403)),
        ])
        let settings = CollectionSettings(minInterval: 60, maxStaleness: 300)
        let cache = CollectionCache(targets: [target(fake, settings: settings)], logger: Logger(sink: sink), clock: { clock.now })
        _ = await cache.refresh(deadline: deadline(60))
        clock.advance(60)
        let failed = await cache.refresh(deadline: deadline(60))
        #expect(failed.targets[0].up == false)
        #expect(failed.targets[0].readings == [reading], "last good values are still served")
        #expect(failed.targets[0].servingStale)
        #expect(failed.targets[0].errorsTotal[.auth] == 1)
        let line = sink.lines.last ?? ""
        #expect(line.contains("level=warn"))
        #expect(line.contains("reason=auth"))
        #expect(line.contains("status=403"))
        #expect(line.contains("err=\"Forbidden (code 10000)\""))
        #expect(line.contains("provider=fake account=a1 collector=widgets"))

        clock.advance(241)
        let dropped = await cache.refresh(deadline: deadline(60))
        #expect(dropped.targets[0].readings.isEmpty, "older than max_staleness: dropped, not shown as current")
        #expect(dropped.targets[0].errorsTotal[.auth] == 2)
    }

    @Test func recoveryIsLoggedOnce() async {
        let clock = ManualClock()
        let sink = MemoryLogSink()
        let fake = FakeCollector([.failure(CollectorError(.network, "connection refused")), .readings([reading])])
        let cache = CollectionCache(targets: [target(fake, settings: CollectionSettings(minInterval: 1))], logger: Logger(sink: sink), clock: { clock.now })
        _ = await cache.refresh(deadline: deadline(60))
        clock.advance(1)
        let snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets[0].up == true)
        #expect(sink.lines.filter { $0.contains("collector recovered") }.count == 1)
    }

    /// Collections are not queued: a bound on requests must not hold back
    /// collectors that make none (static, ZITADEL's stored notifications).
    @Test func localCollectorsAreNotBoundedByRequestSlots() async {
        let meeting = Rendezvous(expected: 6)
        let targets = (0..<6).map { index in
            Target(identity: TargetIdentity(provider: "fake", account: "a\(index)", collector: "widgets"), collector: meeting)
        }
        let cache = CollectionCache(targets: targets, maxConcurrency: 1, logger: .disabled)
        let snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets.allSatisfy { $0.up == true }, "all six were running at the same time")
    }

    @Test func reloadKeepsCountersAndForcesRefresh() async {
        let clock = ManualClock()
        let fake = FakeCollector([.failure(CollectorError(.http, "boom", statusCode: 500))])
        let cache = CollectionCache(targets: [target(fake)], logger: .disabled, clock: { clock.now })
        _ = await cache.refresh(deadline: deadline(60))
        let replacement = FakeCollector([.readings([reading])])
        await cache.replaceTargets([target(replacement), target(FakeCollector([.readings([])]), account: "new")])
        let snapshot = await cache.refresh(deadline: deadline(60))
        #expect(snapshot.targets.map(\.identity.account) == ["a1", "new"])
        #expect(snapshot.targets[0].errorsTotal[.http] == 1)
        #expect(snapshot.targets[0].up == true)
        #expect(replacement.callCount == 1, "a reloaded target is refreshed at once, whatever min_interval says")
    }

    /// Reloading used to forget every target's last attempt, so each
    /// reload+scrape pair called every upstream again.
    @Test func reloadKeepsAnUnchangedTargetAndRefreshesAChangedOne() async {
        let clock = ManualClock()
        let same = TargetDefinition(digest: [1])
        let kept = FakeCollector([.readings([reading])])
        let changing = FakeCollector([.readings([reading])])
        func targets(_ keptCollector: FakeCollector, _ changingCollector: FakeCollector, changingDefinition: TargetDefinition) -> [Target] {
            var first = target(keptCollector)
            first.definition = same
            var second = target(changingCollector, account: "a2")
            second.definition = changingDefinition
            return [first, second]
        }
        let cache = CollectionCache(targets: targets(kept, changing, changingDefinition: same), logger: .disabled, clock: { clock.now })
        _ = await cache.refresh(deadline: deadline(60))
        for _ in 0..<50 {
            // A new configuration builds new collectors even for unchanged entries.
            await cache.replaceTargets(targets(FakeCollector([.readings([])]), changing, changingDefinition: same))
            _ = await cache.refresh(deadline: deadline(60))
        }
        #expect(kept.callCount == 1, "an unchanged target is not collected again before min_interval")
        #expect(changing.callCount == 1)

        let replacement = FakeCollector([.readings([])])
        await cache.replaceTargets(targets(FakeCollector([.readings([])]), replacement, changingDefinition: TargetDefinition(digest: [2])))
        let snapshot = await cache.refresh(deadline: deadline(60))
        #expect(replacement.callCount == 1, "a changed target is refreshed at once")
        #expect(kept.callCount == 1)
        #expect(snapshot.targets.first { $0.identity.account == "a1" }?.readings == [reading], "the unchanged target keeps its collector and values")

        let relabelledCollector = FakeCollector([.readings([])])
        var relabelled = targets(relabelledCollector, replacement, changingDefinition: TargetDefinition(digest: [2]))
        relabelled[0].labels = [Label("team", "edge")]
        await cache.replaceTargets(relabelled)
        _ = await cache.refresh(deadline: deadline(60))
        #expect(relabelledCollector.callCount == 1, "labels count as part of the definition")
        #expect(replacement.callCount == 1)
        clock.advance(61)
        _ = await cache.refresh(deadline: deadline(60))
        #expect(replacement.callCount == 2, "min_interval still applies")
    }

    @Test func invalidatedTargetIsCollectedAtTheNextScrape() async {
        let clock = ManualClock()
        let invalidations = TargetInvalidations()
        let fake = FakeCollector([.readings([reading])])
        let other = FakeCollector([.readings([])])
        let cache = CollectionCache(
            targets: [target(fake), target(other, account: "b")], invalidations: invalidations, logger: .disabled, clock: { clock.now }
        )
        _ = await cache.refresh(deadline: deadline(60))
        clock.advance(1)
        _ = await cache.refresh(deadline: deadline(60))
        #expect(fake.callCount == 1, "young data is cached")
        invalidations.invalidate(TargetIdentity(provider: "fake", account: "a1", collector: "widgets"))
        _ = await cache.refresh(deadline: deadline(60))
        #expect(fake.callCount == 2, "pushed data shows at the next scrape")
        #expect(other.callCount == 1, "other targets keep their cache")
        _ = await cache.refresh(deadline: deadline(60))
        #expect(fake.callCount == 2, "an invalidation is consumed once")
    }

    @Test func collectAllIgnoresMinInterval() async {
        let fake = FakeCollector([.readings([reading])])
        let cache = CollectionCache(targets: [target(fake)], logger: .disabled)
        _ = await cache.collectAll()
        _ = await cache.collectAll()
        #expect(fake.callCount == 2)
    }
}

final class SharedPeak: @unchecked Sendable {
    private let lock = NSLock()
    private var running = 0
    private(set) var peakValue = 0

    var peak: Int {
        lock.lock()
        defer { lock.unlock() }
        return peakValue
    }

    func enter() {
        lock.withLock {
            running += 1
            peakValue = max(peakValue, running)
        }
    }

    func leave() {
        lock.withLock { running -= 1 }
    }
}

struct PeakTracking: Collector {
    let inner: FakeCollector
    let peak: SharedPeak

    func collect() async throws(CollectorError) -> [QuotaReading] {
        peak.enter()
        defer { peak.leave() }
        return try await inner.collect()
    }
}

/// A local collector that succeeds only once `expected` collections are
/// inside it at the same time (it gives up after about 10 s).
final class Rendezvous: Collector, @unchecked Sendable {
    private let lock = NSLock()
    private var arrived = 0
    let expected: Int

    init(expected: Int) {
        self.expected = expected
    }

    func collect() async throws(CollectorError) -> [QuotaReading] {
        lock.withLock { arrived += 1 }
        for _ in 0..<500 {
            if lock.withLock({ arrived >= expected }) { return [] }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        throw CollectorError(.timeout, "only \(lock.withLock { arrived }) of \(expected) ran at once")
    }
}
