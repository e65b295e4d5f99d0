import Testing
import QuotaExposition

@Suite("OpenMetrics 1.0")
struct OpenMetricsFormatTests {
    @Test func counterFamilyDropsTotalButSamplesKeepIt() {
        let family = counter("quota_exporter_errors_total", help: "Upstream errors.", [
            sample(3, "provider", "aws"),
        ])
        #expect(renderText([family], .openMetrics) == """
            # HELP quota_exporter_errors Upstream errors.
            # TYPE quota_exporter_errors counter
            quota_exporter_errors_total{provider="aws"} 3
            # EOF

            """)
    }

    @Test func counterWithoutTotalGetsItOnSamplesOnly() {
        let family = counter("requests", help: "Requests.", [sample(7)])
        #expect(renderText([family], .openMetrics) == """
            # HELP requests Requests.
            # TYPE requests counter
            requests_total 7
            # EOF

            """)
        #expect(renderText([family], .text) == """
            # HELP requests Requests.
            # TYPE requests counter
            requests 7

            """)
    }

    /// `*_info` metadata is OpenMetrics' info type: the family drops
    /// `_info`, samples keep it; the text format has no info type and says
    /// gauge, with the name unchanged.
    @Test func infoFamilyDropsInfoButSamplesKeepIt() {
        let family = MetricFamily(name: "quota_exporter_build_info", help: "Build.", type: .info, samples: [sample(1, "version", "1.0")])
        #expect(renderText([family], .openMetrics) == """
            # HELP quota_exporter_build Build.
            # TYPE quota_exporter_build info
            quota_exporter_build_info{version="1.0"} 1
            # EOF

            """)
        #expect(renderText([family], .text) == """
            # HELP quota_exporter_build_info Build.
            # TYPE quota_exporter_build_info gauge
            quota_exporter_build_info{version="1.0"} 1

            """)
    }

    @Test func infoValueOtherThanOneIsDroppedAndAGaugeOfTheBaseNameClashes() {
        let info = MetricFamily(name: "x_info", help: "X.", type: .info, samples: [sample(1, "a", "b"), sample(2, "a", "c")])
        let rendering = ExpositionWriter().render([info, gauge("x", [sample(5)])], format: .openMetrics)
        let text = String(decoding: rendering.bytes, as: UTF8.self)
        #expect(text.contains(#"x_info{a="b"} 1"#))
        #expect(!text.contains(#"a="c""#))
        #expect(!text.contains("x 5"), "a gauge x would make parsers see two families named x")
        #expect(rendering.problems.count == 2)
        #expect(rendering.problems.contains { $0.description.contains("an info metric's value is always 1") })
    }

    @Test func gaugeIsUnchanged() {
        let family = gauge("quota_limit", help: "Limit.", [sample(2, "quota", "ips")])
        #expect(renderText([family], .openMetrics) == """
            # HELP quota_limit Limit.
            # TYPE quota_limit gauge
            quota_limit{quota="ips"} 2
            # EOF

            """)
    }

    @Test func helpAlsoEscapesQuotes() {
        let family = gauge("helpful", help: "A \"quoted\" C:\\path\nline", [sample(1)])
        #expect(renderText([family], .openMetrics) == #"""
            # HELP helpful A \"quoted\" C:\\path\nline
            # TYPE helpful gauge
            helpful 1
            # EOF

            """#)
    }

    @Test func familiesSortByTheirOpenMetricsName() {
        let families = [
            counter("a_total", [sample(1)]),
            gauge("a_b", [sample(2)]),
        ]
        #expect(renderText(families, .openMetrics) == """
            # HELP a A counter.
            # TYPE a counter
            a_total 1
            # HELP a_b A gauge.
            # TYPE a_b gauge
            a_b 2
            # EOF

            """)
    }

    @Test func emptyBodyStillEndsWithEOF() {
        #expect(renderText([], .openMetrics) == "# EOF\n")
    }

    @Test func contentTypes() {
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }
}
