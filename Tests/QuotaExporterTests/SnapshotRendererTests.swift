import LoopbackSupport
import QuotaCollection
import QuotaConcurrency
import QuotaExposition
import QuotaHTTP
@testable import QuotaExporter
import Testing

/// A collector that returns the readings it holds.
private final class Readings: Collector, @unchecked Sendable {
    let readings: [QuotaReading]
    init(_ readings: [QuotaReading]) { self.readings = readings }
    func collect() async throws(CollectorError) -> [QuotaReading] { readings }
}

private func target(_ provider: String, _ account: String, _ collector: String, labels: [Label] = []) -> Target {
    let readings = [
        QuotaReading(quota: collector + "_q", unit: "u", limit: 10, usage: 3, labels: [Label("region", account)]),
        QuotaReading(quota: "a" + collector, unit: "u", limit: 5, info: [Label("tier", "x\"y")]),
    ]
    return Target(identity: TargetIdentity(provider: provider, account: account, collector: collector), labels: labels, collector: Readings(readings))
}

/// Accounts and providers whose byte order differs from a naive one:
/// prefixes, case, non-ASCII, punctuation, several collectors per account.
private let targets = [
    target("p1", "b", "c1"), target("p1", "b", "c0"), target("p1", "a", "c1"), target("p1", "a-b", "c1"),
    target("p1", "ab", "c2", labels: [Label("team", "t")]), target("p1", "A", "c1"), target("p1", "é", "c1"),
    target("p0", "z", "c1"), target("p", "a", "c1"), target("p1", "a\u{0}", "c1"),
]

private func fullRendering(_ snapshot: CollectionSnapshot, _ format: ExpositionFormat) -> [UInt8] {
    ExpositionWriter().renderEach(ExporterRuntime.snapshotFamilies(snapshot), format: format).families.flatMap(\.bytes)
}

private func later() -> ContinuousClock.Instant { .now + .seconds(60) }

/// A cache of `targets` on a clock the test moves, for collections of one
/// account after a first snapshot.
private struct ClockedCache {
    let now = Locked(1_800_000_000.0)
    let invalidations = TargetInvalidations()
    let cache: CollectionCache

    init() {
        let now = now
        cache = CollectionCache(targets: targets, invalidations: invalidations, logger: .disabled, clock: { now.withLock { $0 } })
    }

    func refresh() async -> CollectionSnapshot { await cache.refresh(deadline: later()) }

    /// Five seconds on, account p1/b collected again (its quota values
    /// the same, its health gauges moved).
    func collectOneAccountAgain() async -> CollectionSnapshot {
        now.withLock { $0 += 5 }
        invalidations.invalidate(TargetIdentity(provider: "p1", account: "b", collector: "c0"))
        return await refresh()
    }
}

/// Every family of `stable` through its kept gzip form, decompressed by
/// Python's gzip module.
private func gunzipped(_ stable: SnapshotRenderer.Stable) async throws -> [UInt8] {
    var parts: [GzipPart] = []
    for index in stable.families.indices {
        parts.append(try #require(stable.gzip(index)))
    }
    return try await pythonGunzip(GzipBody.chunks(parts).flatMap { $0 })
}

/// A collector whose readings (or failure) a test changes between collections.
private final class Changing: Collector, @unchecked Sendable {
    private let state: Locked<Result<[QuotaReading], CollectorError>>
    init(_ readings: [QuotaReading]) { state = Locked(.success(readings)) }
    func set(_ outcome: Result<[QuotaReading], CollectorError>) { state.withLock { $0 = outcome } }
    func collect() async throws(CollectorError) -> [QuotaReading] { try state.withLock { $0 }.get() }
}

/// A collector that takes `seconds` to bring no readings.
private final class Sleeping: Collector, @unchecked Sendable {
    let seconds: Double
    init(seconds: Double) { self.seconds = seconds }
    func collect() async throws(CollectorError) -> [QuotaReading] {
        try? await Task.sleep(for: .seconds(seconds))
        return []
    }
}

@Suite struct SnapshotRendererTests {
    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func perAccountRenderingsJoinToTheFullRendering(format: ExpositionFormat) async {
        let cache = CollectionCache(targets: targets, logger: .disabled)
        let snapshot = await cache.refresh(deadline: later())
        let renderer = SnapshotRenderer()
        let stable = renderer.stable(snapshot, format: format) { _ in }
        #expect(stable.families.flatMap(\.bytes) == fullRendering(snapshot, format))
        #expect(renderer.accountRenderCount == 9, "one rendering per provider and account")
    }

    @Test func aCollectionReRendersOnlyItsAccount() async {
        let invalidations = TargetInvalidations()
        let cache = CollectionCache(targets: targets, invalidations: invalidations, logger: .disabled)
        let renderer = SnapshotRenderer()
        let first = await cache.refresh(deadline: later())
        let before = renderer.stable(first, format: .text) { _ in }.families
        #expect(renderer.accountRenderCount == 9)

        invalidations.invalidate(TargetIdentity(provider: "p1", account: "b", collector: "c0"))
        let second = await cache.refresh(deadline: later())
        let after = renderer.stable(second, format: .text) { _ in }.families
        #expect(renderer.accountRenderCount == 10, "only account p1/b rendered again")
        #expect(after.flatMap(\.bytes) == fullRendering(second, .text))

        // The values did not change, so the quota families are the very same buffers.
        func buffer(_ families: [RenderedFamily], _ name: String) -> UnsafeRawPointer? {
            families.first { $0.name == name }?.bytes.withUnsafeBytes { $0.baseAddress }
        }
        #expect(buffer(before, "quota_limit") != nil)
        #expect(buffer(after, "quota_limit") == buffer(before, "quota_limit"))
        #expect(buffer(after, "quota_exporter_collector_duration_seconds") != buffer(before, "quota_exporter_collector_duration_seconds"))
    }

    /// Same quota values at the next collection (the usual case): of the
    /// account's families only those whose samples moved are rendered, the
    /// last success time (the clock advanced) and perhaps the duration.
    @Test func aCollectionWithTheSameValuesRendersOnlyTheFamiliesThatMoved() async {
        let cache = ClockedCache()
        let renderer = SnapshotRenderer()
        _ = renderer.stable(await cache.refresh(), format: .text) { _ in }
        let families = renderer.familyRenderCount
        let second = await cache.collectOneAccountAgain()
        #expect(second.patch != nil)
        let stable = renderer.stable(second, format: .text) { _ in }
        #expect((1...2).contains(renderer.familyRenderCount - families), "last success and perhaps duration, not the quota families")
        #expect(stable.families.flatMap(\.bytes) == fullRendering(second, .text))
    }

    /// The families a collection changed are compressed again, at the fast
    /// level; the others keep their compressed bytes from the default one.
    @Test func aCollectionCompressesAgainOnlyWhatItChangedAndFast() async throws {
        let cache = ClockedCache()
        let renderer = SnapshotRenderer()
        let first = renderer.stable(await cache.refresh(), format: .text) { _ in }
        _ = try await gunzipped(first)
        #expect(renderer.compressionCount == first.families.count)
        #expect(renderer.fastCompressionCount == 0, "first compressions at the default level")
        let families = renderer.familyRenderCount

        let second = await cache.collectOneAccountAgain()
        #expect(second.patch != nil)
        let stable = renderer.stable(second, format: .text) { _ in }
        let rendered = renderer.familyRenderCount - families
        #expect((1...2).contains(rendered))
        #expect(try await gunzipped(stable) == fullRendering(second, .text))
        #expect(renderer.compressionCount == first.families.count + rendered, "only the changed families again")
        #expect(renderer.fastCompressionCount == rendered, "and those at the fast level")
        #expect(renderer.kept(second, format: .text, compressed: true) != nil, "every family's gzip form is kept again")
    }

    /// Collections that change values, drop readings, add new ones, fail
    /// and recover, one account or several at a time: after each, the
    /// patched rendering is byte for byte the full one, in both formats.
    @Test func patchedRenderingsMatchTheFullRenderingThroughChanges() async throws {
        let now = Locked(1_800_000_000.0)
        let collectors = (0..<12).map { index in
            Changing([QuotaReading(quota: "q\(index)", unit: "u", limit: 10, usage: Double(index))])
        }
        let all = collectors.enumerated().map { index, collector in
            Target(
                identity: TargetIdentity(provider: index % 3 == 0 ? "p0" : "p1", account: "a\(index / 2)", collector: "c\(index % 2)"),
                labels: index % 4 == 0 ? [Label("team", "t\(index)")] : [], collector: collector
            )
        }
        let invalidations = TargetInvalidations()
        let cache = CollectionCache(targets: all, invalidations: invalidations, logger: .disabled, clock: { now.withLock { $0 } })
        let renderer = SnapshotRenderer()
        var snapshot = await cache.refresh(deadline: later())
        var patched = 0
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for step in 0..<40 {
            for format in [ExpositionFormat.text, .openMetrics] {
                let stable = renderer.stable(snapshot, format: format) { _ in }
                // Compared as bytes (as Strings, canonically equivalent texts
                // would pass), without printing kilobytes of them on failure.
                let full = fullRendering(snapshot, format)
                let same = stable.families.flatMap(\.bytes) == full
                #expect(same, "step \(step), \(format): the patched rendering differs from the full one")
                let sameGzip = try await gunzipped(stable) == full
                #expect(sameGzip, "step \(step), \(format): the kept gzip forms differ from the full rendering")
            }
            for _ in 0..<(1 + next(3)) {
                let index = next(collectors.count)
                switch next(6) {
                case 0: collectors[index].set(.success([]))
                case 1: collectors[index].set(.failure(CollectorError(.http, "down")))
                case 2:
                    collectors[index].set(.success([
                        QuotaReading(quota: "q\(index)", unit: "u", limit: 10, usage: Double(next(10))),
                        QuotaReading(quota: "extra", unit: "u", limit: .nan, usage: -0.0, info: [Label("tier", "t\(step)")]),
                    ]))
                case 3:
                    // Equal as Swift strings, different bytes: the kept lines must not be reused.
                    let region = next(2) == 0 ? "\u{e9}" : "e\u{301}"
                    collectors[index].set(.success([QuotaReading(quota: "q\(index)", unit: "u", limit: 10, usage: 1, labels: [Label("region", region)])]))
                default: collectors[index].set(.success([QuotaReading(quota: "q\(index)", unit: "u", limit: 10, usage: Double(next(10)))]))
                }
                invalidations.invalidate(all[index].identity)
            }
            now.withLock { $0 += Double(1 + next(3)) }
            snapshot = await cache.refresh(deadline: later())
            if snapshot.patch != nil { patched += 1 }
        }
        #expect(patched > 30, "most steps took the patched path")
    }

    /// The health lines are written from kept label sets, not through the
    /// writer: a target with no completed attempt yet (no `up`, no
    /// duration, its error counters at 0), label values that need escapes,
    /// and collectors whose byte order differs from Swift's `<` come out
    /// exactly as the writer writes them, before and after they complete.
    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func healthLinesMatchTheWriterForUnfinishedTargetsAndEscapedLabels(format: ExpositionFormat) async throws {
        let slow = Target(
            identity: TargetIdentity(provider: "p", account: "quote\"back\\slash\nline", collector: "e\u{301}z"),
            collector: Sleeping(seconds: 2)
        )
        let all = [
            slow,
            target("p", "quote\"back\\slash\nline", "\u{e9}"),
            target("p", "quote\"back\\slash\nline", "Z"),
            target("p", "plain", "c"),
        ]
        let cache = CollectionCache(targets: all, logger: .disabled)
        let renderer = SnapshotRenderer()
        let first = await cache.refresh(deadline: .now + .milliseconds(100))
        let unfinished = try #require(first.targets.first { $0.identity == slow.identity })
        #expect(unfinished.up == nil && unfinished.lastDuration == nil, "the slow target has no completed attempt yet")
        let firstSame = renderer.stable(first, format: format) { _ in }.families.flatMap(\.bytes) == fullRendering(first, format)
        #expect(firstSame, "before the slow target completes")

        // Until it has completed: a target that missed a scrape's deadline
        // is not waited for by the next one, and on a busy machine its
        // 2 s may end after any fixed pause.
        var second = await cache.refresh(deadline: later())
        for _ in 0..<200 where second.targets.first(where: { $0.identity == slow.identity })?.up != true {
            try await Task.sleep(for: .milliseconds(50))
            second = await cache.refresh(deadline: later())
        }
        #expect(second.targets.first { $0.identity == slow.identity }?.up == true)
        let secondSame = renderer.stable(second, format: format) { _ in }.families.flatMap(\.bytes) == fullRendering(second, format)
        #expect(secondSame, "after it completes")
    }

    @Test func theSameSnapshotIsNotRenderedAgain() async {
        let cache = CollectionCache(targets: targets, logger: .disabled)
        let renderer = SnapshotRenderer()
        let snapshot = await cache.refresh(deadline: later())
        _ = renderer.stable(snapshot, format: .text) { _ in }
        let again = await cache.refresh(deadline: later())
        _ = renderer.stable(again, format: .text) { _ in }
        #expect(again.serial == snapshot.serial)
        #expect(renderer.accountRenderCount == 9)
    }

    @Test func problemsOfAnAccountAreReported() async {
        let bad = Target(
            identity: TargetIdentity(provider: "p", account: "a", collector: "c"),
            collector: Readings([QuotaReading(quota: "q", unit: "u", limit: 1, labels: [Label("bad-name", "v")])])
        )
        let cache = CollectionCache(targets: [bad], logger: .disabled)
        var problems: [String] = []
        _ = SnapshotRenderer().stable(await cache.refresh(deadline: later()), format: .text) { problems.append($0) }
        #expect(problems.contains { $0.contains("bad-name") })
    }
}
