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

/// `readySnapshot()`, what the HTTP event loop serves a cached scrape
/// from: the snapshot `refresh` would return when that needs nothing, and
/// nil whenever a scrape has to collect, wait, or rebuild.
@Suite struct ReadySnapshotTests {
    @Test func readyOnlyBetweenCollections() async {
        let clock = ManualClock()
        let cache = CollectionCache(
            targets: [target(FakeCollector([.readings([reading])]), account: "a"), target(FakeCollector([.readings([reading])]), account: "b", minInterval: 30)],
            logger: .disabled, clock: { clock.now }
        )
        #expect(cache.readySnapshot() == nil, "nothing collected: every target is due")
        let first = await cache.refresh(deadline: .now + .seconds(60))
        let ready = cache.readySnapshot()
        #expect(ready?.serial == first.serial)
        #expect(ready?.targets.map(\.identity.account) == ["a", "b"])
        clock.advance(29)
        #expect(cache.readySnapshot()?.serial == first.serial)
        clock.advance(1)
        #expect(cache.readySnapshot() == nil, "b is due: the scrape must collect it")
        let second = await cache.refresh(deadline: .now + .seconds(60))
        #expect(second.serial != first.serial)
        #expect(cache.readySnapshot()?.serial == second.serial)
    }

    @Test func notReadyWhileACollectionIsInFlight() async {
        let clock = ManualClock()
        let slow = FakeCollector([.readings([reading])])
        let cache = CollectionCache(targets: [target(slow, account: "a", minInterval: 10)], logger: .disabled, clock: { clock.now })
        _ = await cache.refresh(deadline: .now + .seconds(60))
        #expect(cache.readySnapshot() != nil)
        clock.advance(11)
        slow.setDelay(3600)
        // A deadline already passed: the scrape starts the collection and returns at once.
        let during = await cache.refresh(deadline: .now)
        #expect(during.targets[0].refreshing)
        #expect(cache.readySnapshot() == nil, "a collection in flight: the scrape waits for it")
    }

    @Test func notReadyOnceATargetIsInvalidatedOrTheTargetsReplaced() async {
        let clock = ManualClock()
        let invalidations = TargetInvalidations()
        let cache = CollectionCache(
            targets: [target(FakeCollector([.readings([reading])]), account: "a", minInterval: 60, maxStaleness: 600)],
            invalidations: invalidations, logger: .disabled, clock: { clock.now }
        )
        _ = await cache.refresh(deadline: .now + .seconds(60))
        #expect(cache.readySnapshot() != nil)
        invalidations.invalidate(TargetIdentity(provider: "fake", account: "a", collector: "widgets"))
        #expect(cache.readySnapshot() == nil, "pushed data waits to be collected")
        _ = await cache.refresh(deadline: .now + .seconds(60))
        #expect(cache.readySnapshot() != nil)
        // A reload is a change too.
        await cache.replaceTargets([target(FakeCollector([.readings([reading])]), account: "a", minInterval: 60, maxStaleness: 600)])
        #expect(cache.readySnapshot() == nil)
    }
}
