import QuotaExposition
import Testing

/// A body assembled from parts rendered at different times must read as if
/// one `render` call had written it.
@Suite struct RenderedFamilyTests {
    static let cached = [
        gauge("quota_limit", [sample(250, "quota", "seats")]),
        gauge("quota_usage", [sample(231, "quota", "seats")]),
        counter("quota_exporter_collector_errors_total", [sample(0, "reason", "auth")]),
    ]
    static let live = [
        gauge("process_open_fds", [sample(9)]),
        gauge("quota_exporter_build_info", [sample(1, "version", "0.1.0")]),
        gauge("quota_zz_last", [sample(3)]),
    ]

    @Test(arguments: [ExpositionFormat.text, .openMetrics])
    func mergedPartsEqualOneRender(format: ExpositionFormat) {
        let writer = ExpositionWriter()
        let body = RenderedFamily.body(
            merging: [writer.renderEach(Self.cached, format: format).families, writer.renderEach(Self.live, format: format).families],
            format: format
        )
        #expect(body.clashes.isEmpty)
        #expect(body.chunks.count == 6 + (format == .openMetrics ? 1 : 0), "one chunk per family, plus # EOF")
        #expect(body.chunks.joined().elementsEqual(writer.render(Self.cached + Self.live, format: format).bytes))
    }

    @Test func interleavesBySortedName() {
        let writer = ExpositionWriter()
        let body = RenderedFamily.body(
            merging: [writer.renderEach(Self.cached, format: .text).families, writer.renderEach(Self.live, format: .text).families],
            format: .text
        )
        let names = body.chunks.map { chunk in
            String(decoding: chunk, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("# TYPE") }!.split(separator: " ")[2]
        }
        #expect(names == [
            "process_open_fds", "quota_exporter_build_info", "quota_exporter_collector_errors_total",
            "quota_limit", "quota_usage", "quota_zz_last",
        ])
    }

    @Test func aNameInTwoPartsIsWrittenOnceAndReported() {
        let writer = ExpositionWriter()
        let first = writer.renderEach([gauge("quota_limit", [sample(1)]), gauge("b", [sample(2)])], format: .text).families
        let second = writer.renderEach([gauge("quota_limit", [sample(99)]), gauge("a", [sample(3)])], format: .text).families
        let body = RenderedFamily.body(merging: [first, second], format: .text)
        #expect(body.clashes == ["quota_limit"])
        let text = String(decoding: Array(body.chunks.joined()), as: UTF8.self)
        #expect(text.contains("quota_limit 1\n"), "the first part wins")
        #expect(!text.contains("quota_limit 99"))
        #expect(text.components(separatedBy: "# TYPE quota_limit").count == 2)
    }

    @Test func renderEachReportsWhatItDropped() {
        let rendered = ExpositionWriter().renderEach([gauge("bad-name", [sample(1)]), gauge("good", [sample(2)])], format: .text)
        #expect(rendered.families.map(\.name) == ["good"])
        #expect(rendered.problems.count == 1)
    }

    @Test func emptyListsGiveAnEmptyBodyOrJustEOF() {
        #expect(RenderedFamily.body(merging: [[], []], format: .text).chunks.isEmpty)
        #expect(RenderedFamily.body(merging: [], format: .openMetrics).chunks == [Array("# EOF\n".utf8)])
    }
}
