import Testing
import QuotaExposition

@Suite("Text format 0.0.4")
struct TextFormatTests {
    @Test func simpleGauge() {
        let family = gauge("quota_limit", help: "Quota limit in units.", [
            sample(100, "region", "us-east-1", "quota", "vcpus"),
            sample(5, "region", "eu-west-1", "quota", "vcpus"),
        ])
        #expect(renderText([family]) == """
            # HELP quota_limit Quota limit in units.
            # TYPE quota_limit gauge
            quota_limit{region="eu-west-1",quota="vcpus"} 5
            quota_limit{region="us-east-1",quota="vcpus"} 100

            """)
    }

    @Test func counterKeepsItsNameOnEveryLine() {
        let family = counter("quota_exporter_errors_total", help: "Upstream errors.", [
            sample(3, "provider", "aws"),
        ])
        #expect(renderText([family]) == """
            # HELP quota_exporter_errors_total Upstream errors.
            # TYPE quota_exporter_errors_total counter
            quota_exporter_errors_total{provider="aws"} 3

            """)
    }

    @Test func sampleWithoutLabelsHasNoBraces() {
        #expect(renderText([gauge("up_ish", help: "x", [sample(1)])]) == """
            # HELP up_ish x
            # TYPE up_ish gauge
            up_ish 1

            """)
    }

    @Test func emptyHelpLeavesOutTheHelpLine() {
        #expect(renderText([gauge("no_help", help: "", [sample(1)])]) == """
            # TYPE no_help gauge
            no_help 1

            """)
    }

    @Test func labelValuesEscapeBackslashQuoteAndNewline() {
        let family = gauge("escapes", help: "h", [
            sample(1, "path", #"C:\quota"#, "note", "say \"hi\"\nbye"),
        ])
        #expect(renderText([family]) == #"""
            # HELP escapes h
            # TYPE escapes gauge
            escapes{path="C:\\quota",note="say \"hi\"\nbye"} 1

            """#)
    }

    @Test func helpEscapesOnlyBackslashAndNewline() {
        let family = gauge("helpful", help: "Line one\nA \"quoted\" C:\\path", [sample(1)])
        #expect(renderText([family]) == #"""
            # HELP helpful Line one\nA "quoted" C:\\path
            # TYPE helpful gauge
            helpful 1

            """#)
    }

    @Test func unicodeIsWrittenAsIs() {
        let family = gauge("unicode", help: "Größe – 配额 🚀", [sample(1, "name", "Zürich 東京 🚀")])
        #expect(renderText([family]) == """
            # HELP unicode Größe – 配额 🚀
            # TYPE unicode gauge
            unicode{name="Zürich 東京 🚀"} 1

            """)
    }

    @Test func specialAndFractionalValues() {
        let family = gauge("values", help: "v", [
            sample(.infinity, "case", "a_plus_inf"),
            sample(-.infinity, "case", "b_minus_inf"),
            sample(.nan, "case", "c_nan"),
            sample(0.1, "case", "d_tenth"),
            sample(1e-7, "case", "e_small"),
            sample(1e21, "case", "f_huge"),
            sample(9_007_199_254_740_992, "case", "g_two_pow_53"),
            sample(-0.0, "case", "h_negative_zero"),
            sample(123_456_789_012_345, "case", "i_large_integer"),
            sample(-3, "case", "j_negative"),
            sample(1e15, "case", "k_1e15"),
            sample(1e16, "case", "l_1e16"),
            sample(0.30000000000000004, "case", "m_sum"),
        ])
        #expect(renderText([family]) == """
            # HELP values v
            # TYPE values gauge
            values{case="a_plus_inf"} +Inf
            values{case="b_minus_inf"} -Inf
            values{case="c_nan"} NaN
            values{case="d_tenth"} 0.1
            values{case="e_small"} 1e-07
            values{case="f_huge"} 1e+21
            values{case="g_two_pow_53"} 9007199254740992
            values{case="h_negative_zero"} -0
            values{case="i_large_integer"} 123456789012345
            values{case="j_negative"} -3
            values{case="k_1e15"} 1000000000000000
            values{case="l_1e16"} 1e+16
            values{case="m_sum"} 0.30000000000000004

            """)
    }

    @Test func noFamiliesGiveAnEmptyBody() {
        #expect(renderText([]).isEmpty)
        #expect(renderText([gauge("empty", [])]).isEmpty)
    }
}
