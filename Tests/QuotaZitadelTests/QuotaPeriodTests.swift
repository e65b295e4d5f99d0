import Testing
@testable import QuotaZitadel

@Suite struct QuotaPeriodTests {
    let from = unixTime("2026-01-01T00:00:00Z")
    let day = 86_400.0

    @Test func periodContainingNowStartsAtTheLastMultipleOfTheInterval() {
        let period = QuotaPeriod.current(from: from, resetInterval: 30 * day, now: unixTime("2026-02-15T12:00:00Z"))
        #expect(period.start == unixTime("2026-01-31T00:00:00Z"))
        #expect(period.end == unixTime("2026-03-02T00:00:00Z"))
    }

    @Test func boundaryInstantBelongsToTheNewPeriod() {
        let boundary = unixTime("2026-01-31T00:00:00Z")
        #expect(QuotaPeriod.current(from: from, resetInterval: 30 * day, now: boundary).start == boundary)
        #expect(QuotaPeriod.current(from: from, resetInterval: 30 * day, now: boundary - 1).start == from)
    }

    @Test func beforeFromTheFirstPeriodIsReported() {
        let period = QuotaPeriod.current(from: from, resetInterval: day, now: from - 3 * day)
        #expect(period.start == from)
        #expect(period.end == from + day)
    }

    @Test func manyPeriodsLaterStaysExact() {
        let period = QuotaPeriod.current(from: from, resetInterval: 60, now: from + 60 * 1_000_000 + 59)
        #expect(period.start == from + 60 * 1_000_000)
    }

    @Test func periodStartMatchingToleratesOnlySubSecondDifferences() {
        let period = QuotaPeriod(start: from, end: from + day)
        #expect(period.begins(at: from))
        #expect(period.begins(at: from + 0.5))
        #expect(!period.begins(at: from + 1))
        #expect(!period.begins(at: from - day))
    }
}
