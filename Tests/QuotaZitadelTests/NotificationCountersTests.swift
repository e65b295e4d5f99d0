import QuotaExposition
import Testing
@testable import QuotaZitadel

@Suite struct NotificationCountersTests {
    private func value(_ family: MetricFamily, _ outcome: String) -> Double? {
        family.samples.first { $0.labels == [Label("outcome", outcome)] }?.value
    }

    /// The family is handed out again while nothing is counted (the same
    /// storage, so a scrape compares it with the last one's for free), and
    /// an increment shows at the very next read.
    @Test func theKeptFamilyIsGivenAgainUntilSomethingIsCounted() {
        let counters = NotificationCounters()
        let first = counters.family
        #expect(first.samples.count == NotificationCounters.Outcome.allCases.count)
        #expect(value(first, "stored") == 0)
        let again = counters.family
        #expect(again.samples.withUnsafeBufferPointer { $0.baseAddress } == first.samples.withUnsafeBufferPointer { $0.baseAddress })

        counters.increment(.stored)
        counters.increment(.tooLarge)
        let counted = counters.family
        #expect(value(counted, "stored") == 1)
        #expect(value(counted, "too_large") == 1)
        #expect(value(counted, "duplicate") == 0)
        #expect(value(first, "stored") == 0, "a family handed out earlier is a value: it does not change")
    }
}
