import QuotaCollection
import QuotaExposition
import Testing

private let reading = QuotaReading(quota: "widgets", unit: "widgets", limit: 100, usage: 40, remaining: 60)

private func target(_ collector: FakeCollector, account: String, minInterval: Double = 60, maxStaleness: Double = 600) -> Target {
    Target(
        identity: TargetIdentity(provider: "fake", account: account, collector: "widgets"),
        settings: CollectionSettings(minInterval: minInterval, maxStaleness: maxStaleness), collector: collector
    )
}

private func later() -> ContinuousClock.Instant { .now + .seconds(60) }

/// The cache hands out the same snapshot while nothing changed (what makes a
/// cached scrape independent of the number of targets), and a new one as
/// soon as anything a scrape or the status page shows did change.
@Suite struct SnapshotReuseTests {
    @Test func unchangedCacheGivesTheSameSnapshotAgain() async {
        let clock = ManualClock()
        let cache = CollectionCache(
            targets: [target(FakeCollector([.readings([reading])]), account: "b"), target(FakeCollector([.readings([reading])]), account: "a")],
            logger: .disabled, clock: { clock.now }
        )
        let first = await cache.refresh(deadline: later())
        clock.advance(1)
        let second = await cache.refresh(deadline: later())
        #expect(first.serial != 0)
        #expect(second.serial == first.serial)
        #expect(second.targets.map(\.identity.account) == ["a", "b"], "sorted by identity")
    }

    @Test func aCollectionChangesOnlyThatTargetsRevision() async {
        let clock = ManualClock()
        let invalidations = TargetInvalidations()
        let cache = CollectionCache(
            targets: [target(FakeCollector([.readings([reading])]), account: "a"), target(FakeCollector([.readings([reading])]), account: "b")],
            invalidations: invalidations, logger: .disabled, clock: { clock.now }
        )
        let first = await cache.refresh(deadline: later())
        invalidations.invalidate(TargetIdentity(provider: "fake", account: "b", collector: "widgets"))
        let second = await cache.refresh(deadline: later())
        #expect(second.serial != first.serial)
        #expect(second.targets[0].revision == first.targets[0].revision)
        #expect(second.targets[1].revision != first.targets[1].revision)
        // The patched snapshot shows the new attempt like a rebuilt one would.
        #expect(second.targets[1].lastAttempt != nil && second.targets[1].refreshing == false && second.targets[1].up == true)
        #expect(second.targets.map(\.identity.account) == ["a", "b"])
        #expect(second.version > first.version)
    }

    @Test func aPatchedSnapshotSaysWhichTargetsItReplaced() async {
        let clock = ManualClock()
        let invalidations = TargetInvalidations()
        let cache = CollectionCache(
            targets: ["a", "b", "c"].map { target(FakeCollector([.readings([reading])]), account: $0) },
            invalidations: invalidations, logger: .disabled, clock: { clock.now }
        )
        let first = await cache.refresh(deadline: later())
        #expect(first.patch == nil, "made from scratch")
        invalidations.invalidate(TargetIdentity(provider: "fake", account: "c", collector: "widgets"))
        let second = await cache.refresh(deadline: later())
        #expect(second.patch == SnapshotPatch(base: first.serial, indexes: [2]))
        clock.advance(700)  // past max_staleness: every value ages out, a new snapshot from scratch
        let aged = await cache.snapshot()
        #expect(aged.serial != second.serial)
        #expect(aged.patch == nil)
    }

    /// A collector with its readings at hand (static quotas) is collected
    /// inside the scrape, with no task to wait for: even a scrape whose
    /// deadline has passed gets its values. A network one is started and
    /// not waited for.
    @Test func aCollectorWithReadingsAtHandIsCollectedInline() async {
        struct AtHand: Collector {
            func collect() async throws(CollectorError) -> [QuotaReading] { [reading] }
            func collectNow() -> Result<[QuotaReading], CollectorError>? { .success([reading]) }
        }
        let slow = FakeCollector([.readings([reading])], delay: 0.5)
        let cache = CollectionCache(
            targets: [
                Target(identity: TargetIdentity(provider: "fake", account: "a", collector: "widgets"), collector: AtHand()),
                target(slow, account: "b"),
            ],
            logger: .disabled
        )
        let snapshot = await cache.refresh(deadline: .now)
        #expect(snapshot.targets[0].up == true && snapshot.targets[0].readings == [reading])
        #expect(snapshot.targets[0].refreshing == false)
        #expect(snapshot.targets[1].up == nil && snapshot.targets[1].refreshing, "started, not waited for")
    }

    @Test func valuesAgingOutGiveANewSnapshot() async {
        let clock = ManualClock()
        let failing = FakeCollector([.readings([reading]), .failure(CollectorError(.http, "down"))])
        let cache = CollectionCache(targets: [target(failing, account: "a", minInterval: 1, maxStaleness: 10)], logger: .disabled, clock: { clock.now })
        _ = await cache.refresh(deadline: later())
        clock.advance(2)
        let failed = await cache.refresh(deadline: later())  // fails, still serving the old values
        #expect(failed.targets[0].readings == [reading])
        clock.advance(5)
        let same = await cache.snapshot()
        #expect(same.serial == failed.serial, "nothing changed, nothing aged out")
        clock.advance(4)  // 11 s after the success: past max_staleness
        let aged = await cache.snapshot()
        #expect(aged.serial != failed.serial)
        #expect(aged.targets[0].readings.isEmpty)
        #expect(aged.targets[0].revision == failed.targets[0].revision, "the target did not change, its values aged")
    }

    @Test func reloadKeepsUnchangedTargetsRevisions() async {
        var keep = target(FakeCollector([.readings([reading])]), account: "a")
        keep.definition = TargetDefinition(digest: [1, 2, 3])
        let cache = CollectionCache(targets: [keep, target(FakeCollector([.readings([reading])]), account: "b")], logger: .disabled)
        let first = await cache.refresh(deadline: later())
        await cache.replaceTargets([keep, target(FakeCollector([.readings([reading])]), account: "c")])
        let second = await cache.snapshot()
        #expect(second.serial != first.serial)
        #expect(second.targets.map(\.identity.account) == ["a", "c"])
        #expect(second.targets[0].revision == first.targets[0].revision)
    }
}
