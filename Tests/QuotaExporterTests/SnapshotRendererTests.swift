import QuotaCollection
import QuotaExposition
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
