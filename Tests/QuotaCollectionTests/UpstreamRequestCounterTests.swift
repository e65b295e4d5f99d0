import QuotaExposition
import Testing
@testable import QuotaCollection

@Suite struct UpstreamRequestCounterTests {
    /// Handed out again while nothing is recorded; a record shows at once.
    @Test func theKeptFamilyIsGivenAgainUntilARequestIsRecorded() {
        let counter = UpstreamRequestCounter()
        #expect(counter.family.samples.isEmpty)
        counter.record(provider: "cloudflare", code: "200")
        let first = counter.family
        #expect(first.samples == [Sample(labels: [Label("provider", "cloudflare"), Label("code", "200")], value: 1)])
        #expect(counter.family.samples.withUnsafeBufferPointer { $0.baseAddress } == first.samples.withUnsafeBufferPointer { $0.baseAddress })

        counter.record(provider: "cloudflare", code: "200")
        #expect(counter.family.samples == [Sample(labels: [Label("provider", "cloudflare"), Label("code", "200")], value: 2)])
        #expect(counter.count(provider: "cloudflare", code: "200") == 2)
    }
}
