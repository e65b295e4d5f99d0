import Foundation
import QuotaCollection
import QuotaConfig
import Testing
@testable import QuotaZitadel

@Suite struct QuotaReadingTests {
    let quota = ZitadelQuota(unit: .actionsAllRunSeconds, amount: 3600, from: unixTime("2026-11-01T00:00:00Z"), resetInterval: 86_400, limit: false, notifications: [])

    func notification(_ id: String, period: String, usage: UInt64) -> ZitadelNotification {
        ZitadelNotification(id: id, unit: .actionsAllRunSeconds, periodStart: unixTime(period), threshold: 50, usage: usage, receivedAt: 0)
    }

    @Test func usageIsTheHighestReportOfTheCurrentPeriodAndZeroAfterRollover() async throws {
        let scratch = try ScratchDirectory()
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        let clock = TestClock(unixTime("2026-11-01T18:00:00Z"))
        let instance = ZitadelInstance(url: HTTPURL(string: "https://z")!, instanceID: "i", quotas: [quota], credentials: nil, receiverURLs: [],
                                       receiverSecret: nil, provisioning: false, reapplyInterval: 600, stateFile: store.path)
        let collector = ZitadelQuotaCollector(instance: instance, store: store, clock: clock.function)

        #expect(try await collector.collect() == [QuotaReading(
            quota: "actions_all_run_seconds", unit: "seconds", limit: 3600, usage: 0, remaining: 3600,
            resetTimestamp: unixTime("2026-11-02T00:00:00Z"), periodStartTimestamp: unixTime("2026-11-01T00:00:00Z"),
            exhausted: false, enforced: false
        )])

        _ = try store.record(notification("a", period: "2026-11-01T00:00:00Z", usage: 1800), instance: "i")
        _ = try store.record(notification("b", period: "2026-11-01T00:00:00Z", usage: 3600), instance: "i")
        // A retried earlier notification arriving late does not lower the usage.
        _ = try store.record(notification("c", period: "2026-11-01T00:00:00Z", usage: 2000), instance: "i")
        let full = try #require(try await collector.collect().first)
        #expect(full.usage == 3600 && full.remaining == 0 && full.exhausted == true)

        // Next period, no notification yet: 0, a lower bound.
        clock.set(unixTime("2026-11-02T00:00:00Z"))
        let rolled = try #require(try await collector.collect().first)
        #expect(rolled.usage == 0)
        #expect(rolled.remaining == 3600)
        #expect(rolled.exhausted == false)
        #expect(rolled.periodStartTimestamp == unixTime("2026-11-02T00:00:00Z"))
        #expect(rolled.resetTimestamp == unixTime("2026-11-03T00:00:00Z"))

        _ = try store.record(notification("d", period: "2026-11-02T00:00:00Z", usage: 1900), instance: "i")
        #expect(try await collector.collect().first?.usage == 1900)
        // Notifications of another unit do not count.
        _ = try store.record(ZitadelNotification(id: "e", unit: .requestsAllAuthenticated, periodStart: unixTime("2026-11-02T00:00:00Z"), threshold: 100, usage: 99_999, receivedAt: 0), instance: "i")
        #expect(try await collector.collect().first?.usage == 1900)
    }

    @Test func unusableStateFileFailsTheQuotasCollector() async throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("state.json", #"{"version":99}"#)
        let instance = ZitadelInstance(url: HTTPURL(string: "https://z")!, instanceID: "i", quotas: [quota], credentials: nil, receiverURLs: [],
                                       receiverSecret: nil, provisioning: false, reapplyInterval: 600, stateFile: path)
        let collector = ZitadelQuotaCollector(instance: instance, store: StateStore(path: path, logger: .disabled), clock: { 0 })
        await #expect {
            _ = try await collector.collect()
        } throws: { error in
            (error as? CollectorError)?.reason == .internal && String(describing: error).contains("newer")
        }
    }
}
