import QuotaExposition
@testable import QuotaExporter
import Testing

private func sameBuffer(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    lhs.withUnsafeBytes { $0.baseAddress } == rhs.withUnsafeBytes { $0.baseAddress }
}

/// The families written at every scrape: in name order as made (they are
/// merged with the snapshot's, and no longer sorted per scrape), and
/// rendered again only when a value changed.
@Suite struct LiveRenderingTests {
    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func theLiveFamiliesAreMadeInNameOrder(format: ExpositionFormat) throws {
        let runtime = try makeRuntime(staticConfig)
        runtime.counter.record(provider: "cloudflare", code: "200")
        let names = runtime.liveRendered(format: format).map(\.name)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(names.contains { $0.hasPrefix("quota_exporter_upstream_requests") })
        #expect(names.contains { $0.hasPrefix("process_cpu_seconds") })
        #expect(names.contains("quota_exporter_config_last_reload_successful"))
    }

    @Test func aValueThatDidNotChangeIsNotWrittenAgain() throws {
        let first = ProcessMetrics.rendered(format: .text)
        let second = ProcessMetrics.rendered(format: .text)
        let start = { (families: [RenderedFamily]) in families.first { $0.name == "process_start_time_seconds" } }
        let before = try #require(start(first))
        let after = try #require(start(second))
        #expect(sameBuffer(before.bytes, after.bytes), "the start time never changes: the kept rendering")
        #expect(String(decoding: after.bytes, as: UTF8.self).hasPrefix("# HELP process_start_time_seconds"))
    }

    @Test func keptRenderingsFollowTheirSamples() {
        let kept = KeptRenderings()
        let writer = ExpositionWriter()
        func family(_ value: Double, _ code: String = "200") -> MetricFamily {
            MetricFamily(name: "requests_total", help: "h", type: .counter, samples: [Sample(labels: [Label("code", code)], value: value)])
        }
        let first = kept.rendered(family(1), format: .text, writer: writer)
        let again = kept.rendered(family(1), format: .text, writer: writer)
        #expect(kept.renderCount == 1)
        #expect(sameBuffer(first!.bytes, again!.bytes))
        let changed = kept.rendered(family(2), format: .text, writer: writer)
        #expect(kept.renderCount == 2)
        #expect(String(decoding: changed!.bytes, as: UTF8.self).contains("requests_total{code=\"200\"} 2"))
        _ = kept.rendered(family(2), format: .openMetrics, writer: writer)
        #expect(kept.renderCount == 3, "each format its own")
        // Canonically equivalent, differently written: rendered again.
        _ = kept.rendered(family(2, "\u{e9}"), format: .text, writer: writer)
        let decomposed = kept.rendered(family(2, "e\u{301}"), format: .text, writer: writer)
        #expect(kept.renderCount == 5)
        // Bytes, not Strings: String.contains would find "é" in either form.
        let bytes = decomposed!.bytes
        #expect(bytes.indices.contains { bytes[$0...].starts(with: [0x65, 0xCC, 0x81]) })
    }
}
