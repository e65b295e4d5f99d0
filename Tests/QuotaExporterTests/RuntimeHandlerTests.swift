import Foundation
import QuotaCollection
import QuotaConfig
@testable import QuotaExporter
import QuotaHTTP
import QuotaLogging
import Testing

@Suite struct RuntimeHandlerTests {
    @Test func metricsServeStaticQuotasInTextFormat() async throws {
        let runtime = try makeRuntime(staticConfig)
        let response = await get(runtime.handler, "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        let lines = Set(response.text.split(separator: "\n").map(String.init))
        let labels = #"provider="static",account="acme",quota="seats",unit="seats",team="platform""#
        #expect(lines.contains("quota_limit{\(labels)} 250"))
        #expect(lines.contains("quota_usage{\(labels)} 231"))
        #expect(lines.contains("quota_remaining{\(labels)} 19"))
        #expect(lines.contains("quota_exhausted{\(labels)} 0"))
        #expect(lines.contains("quota_enforced{\(labels)} 1"))
        #expect(lines.contains("quota_reset_timestamp_seconds{\(labels)} 1798761600"))
        #expect(lines.contains(#"quota_exhausted{provider="static",account="acme",quota="tickets",unit="tickets",team="platform"} 1"#))
        #expect(lines.contains(#"quota_exporter_collector_up{provider="static",account="acme",collector="static"} 1"#))
        #expect(lines.contains(#"quota_exporter_collector_errors_total{provider="static",account="acme",collector="static",reason="auth"} 0"#))
        #expect(lines.contains("quota_exporter_config_last_reload_successful 1"))
        #expect(lines.contains { $0.hasPrefix("quota_exporter_build_info{version=") })
        #expect(lines.contains { $0.hasPrefix("process_resident_memory_bytes ") })
        #expect(!lines.contains { $0.hasPrefix("quota_period_start_timestamp_seconds{") }, "the config gave no period start: no series")
    }

    @Test func metricsNegotiateOpenMetrics() async throws {
        let runtime = try makeRuntime(staticConfig)
        let accept = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.1"
        let response = await get(runtime.handler, "/metrics", headers: ["Accept": accept])
        #expect(response.headers["Content-Type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(response.text.hasSuffix("# EOF\n"))
        #expect(response.text.contains("# TYPE quota_exporter_collector_errors counter"))
    }

    @Test(arguments: [nil, "application/openmetrics-text;version=1.0.0"])
    func everyFamilyOnceSortedByNameAcrossCachedAndLiveParts(accept: String?) async throws {
        let runtime = try makeRuntime(staticConfig)
        // Twice: the second body comes from the render cache plus fresh process metrics.
        for _ in 0..<2 {
            let response = await get(runtime.handler, "/metrics", headers: accept.map { ["Accept": $0] } ?? [:])
            let names = response.text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) }
            #expect(names.contains("process_open_fds") && names.contains("quota_limit") && (names.contains("quota_exporter_build_info") || names.contains("quota_exporter_build")))
            #expect(names == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "families sorted by name: \(names)")
            #expect(Set(names).count == names.count)
            #expect(response.bodyParts.count >= names.count, "one chunk per family, not copied into one buffer")
        }
    }

    @Test func customTelemetryPath() async throws {
        var options = testOptions
        options.telemetryPath = "/probe"
        let runtime = try makeRuntime(staticConfig, options: options)
        #expect(await get(runtime.handler, "/probe").status == 200)
        #expect(await get(runtime.handler, "/metrics").status == 404)
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() async throws {
        let runtime = try makeRuntime(staticConfig)
        #expect(await get(runtime.handler, "/nope").status == 404)
        let post = await get(runtime.handler, "/metrics", method: "POST")
        #expect(post.status == 405)
        #expect(post.headers["Allow"] == "GET, HEAD")
        let reload = await get(runtime.handler, "/-/reload", method: "GET")
        #expect(reload.status == 405)
        #expect(reload.headers["Allow"] == "POST, PUT")
        #expect(await get(runtime.handler, "/metrics", method: "HEAD").status == 200)
    }

    @Test func readinessFollowsTheFirstCollection() async throws {
        let runtime = try makeRuntime(staticConfig)
        #expect(await get(runtime.handler, "/-/healthy").status == 200)
        #expect(await get(runtime.handler, "/-/ready").status == 503)
        runtime.startInitialCollection()
        var status = 0
        for _ in 0..<1500 {
            status = await get(runtime.handler, "/-/ready").status
            if status == 200 { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(status == 200)
    }

    @Test func scrapeBudgetHonoursPrometheusHeaderMinusOffset() throws {
        let runtime = try makeRuntime("{}")
        #expect(runtime.scrapeBudget("10") == 9.5)
        #expect(runtime.scrapeBudget("2.5") == 2.0)
        #expect(runtime.scrapeBudget("0.3") == 0.1, "never below 0.1s")
        let defaults = try makeRuntime("{}", options: ExporterOptions())
        #expect(defaults.scrapeBudget(nil) == 9.5, "default timeout 10s minus offset")
        #expect(defaults.scrapeBudget("junk") == 9.5)
        #expect(defaults.scrapeBudget("-4") == 9.5)
        #expect(defaults.scrapeBudget("inf") == 9.5)
    }

    /// The header is outside input: no value may trap the conversion to a
    /// deadline (1e16 s did), and anything odd falls back to the default.
    @Test(arguments: [
        ("1e16", ExporterRuntime.maxScrapeBudget),
        ("1e308", ExporterRuntime.maxScrapeBudget),
        ("99999999999999999999999999999", ExporterRuntime.maxScrapeBudget),
        ("86400.5", ExporterRuntime.maxScrapeBudget),
        ("1e400", 9.5),
        ("nan", 9.5),
        ("NaN", 9.5),
        ("-inf", 9.5),
        ("infinity", 9.5),
        ("0", 9.5),
        ("-0", 9.5),
        ("+10", 9.5),
        ("0x10", 9.5),
        (" 10", 9.5),
        ("10s", 9.5),
        ("", 9.5),
        ("1e-400", 9.5),
        ("0.000000000001", 0.1),
        ("2.5", 2.0),
    ])
    func scrapeBudgetIsRangeCheckedBeforeConversion(header: String, expected: Double) throws {
        let runtime = try makeRuntime("{}", options: ExporterOptions())
        #expect(runtime.scrapeBudget(header) == expected)
    }

    @Test(arguments: ["1e16", "1e308", "nan", "-1", "99999999999999999999999999999"])
    func scrapeWithAbsurdTimeoutHeaderIsServed(header: String) async throws {
        let runtime = try makeRuntime(staticConfig)
        let response = await get(runtime.handler, "/metrics", headers: ["X-Prometheus-Scrape-Timeout-Seconds": header])
        #expect(response.status == 200)
        #expect(response.text.contains("quota_limit{"))
    }

    @Test func statusPageShowsQuotasAndCollectors() async throws {
        let runtime = try makeRuntime(staticConfig)
        _ = await get(runtime.handler, "/metrics")
        let page = await get(runtime.handler, "/")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let html = page.text
        #expect(html.contains("<strong>seats</strong>"))
        #expect(html.contains("<strong>tickets</strong>"))
        #expect(html.contains("92.4\u{a0}%"), "231 of 250 seats")
        #expect(html.contains("class=\"fill crit\""))
        #expect(html.contains(">exhausted<"))
        #expect(html.contains("<span class=\"tag good\">up</span>"))
        #expect(html.contains("1 exhausted"), "the summary line counts exhausted quotas")
        #expect(html.contains("1 above 80"), "and quotas above 80 % (seats at 92.4 %)")
        #expect(html.contains("all 1 collectors up"))
        #expect(html.contains("2027-01-01 00:00 UTC"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"), "no outside assets")
    }

    @Test func statusPageShowsNoPercentageWhenOnlyTheExhaustedFlagIsKnown() async throws {
        let runtime = try makeRuntime("""
        {"static": [{"account": "acme", "quotas": [{"quota": "build_minutes", "unit": "minutes", "exhausted": true}]}]}
        """)
        _ = await get(runtime.handler, "/metrics")
        let html = await get(runtime.handler, "/").text
        #expect(html.contains("class=\"fill crit\" style=\"width:100.0%\""), "a full bar: the limit is reached")
        #expect(html.contains("<span class=\"pct\">limit reached</span>"))
        #expect(!html.contains("100.0\u{a0}%"), "no percentage the API never gave")
        #expect(html.contains("<div class=\"scroll\"><table>"), "wide tables scroll inside the page")
    }

    @Test func amountsAreGroupedForReading() {
        #expect(StatusPage.amount(4_100_000_000_000) == "4\u{2009}100\u{2009}000\u{2009}000\u{2009}000")
        #expect(StatusPage.amount(-1234.5) == "-1\u{2009}234.50")
        #expect(StatusPage.amount(999) == "999")
        #expect(StatusPage.amount(0.25) == "0.25")
    }

    /// Times are written by the project's own formatter (no Foundation), and
    /// values no parser should let through still render instead of trapping.
    @Test func timesRenderWithoutFoundationAndNeverTrap() {
        #expect(StatusPage.iso(1_796_160_426.9) == "2026-12-01T21:27:06Z")
        #expect(StatusPage.readableTime(1_796_160_426) == "2026-12-01 21:27 UTC")
        #expect(StatusPage.readableTime(1e300) == "9999-12-31 23:59 UTC")
        #expect(StatusPage.relative(90_000) == "in 1d 1h")
        #expect(StatusPage.relative(.nan) == "—")
        #expect(StatusPage.relative(-1e300) == "—")
    }

    @Test func statusPageSaysWhatToConfigureWhenEmpty() async throws {
        let runtime = try makeRuntime("{}")
        let html = await get(runtime.handler, "/").text
        #expect(html.contains("Nothing to collect yet"))
        #expect(html.contains("--config.file"))
    }

    @Test func statusPageEscapesHTML() async throws {
        let runtime = try makeRuntime(#"{"static": [{"account": "<b>x</b>", "quotas": [{"quota": "q\"<i>", "unit": "u", "limit": 1}]}]}"#)
        _ = await get(runtime.handler, "/metrics")
        let html = await get(runtime.handler, "/").text
        #expect(html.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(!html.contains("<b>x</b>"))
        #expect(html.contains("q&quot;&lt;i&gt;"))
    }

    @Test func reloadKeepsOldConfigurationWhenNewOneIsBad() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", staticConfig)
        var options = testOptions
        options.configFile = file
        options.enableLifecycle = true
        let sink = MemoryLogSink()
        let environment = ConfigEnvironment(variables: [:], readFile: ConfigEnvironment.process.readFile)
        let runtime = try makeRuntime(staticConfig, options: options, environment: environment, logger: Logger(sink: sink))
        _ = directory.write("config.json", #"{"static": [{"account": 5}]}"#)
        let failed = await get(runtime.handler, "/-/reload", method: "POST")
        #expect(failed.status == 500)
        #expect(failed.text.contains("static[0].account"))
        let metrics = await get(runtime.handler, "/metrics").text
        #expect(metrics.contains("quota_exporter_config_last_reload_successful 0"))
        #expect(metrics.contains(#"account="acme""#), "old configuration still collected")
        #expect(sink.lines.contains { $0.contains("level=error") && $0.contains("configuration reload failed") })
        #expect(await get(runtime.handler, "/").text.contains("Last configuration reload failed"))

        _ = directory.write("config.json", #"{"static": [{"account": "beta", "quotas": [{"quota": "q", "unit": "u", "limit": 3}]}]}"#)
        let succeeded = await get(runtime.handler, "/-/reload", method: "POST")
        #expect(succeeded.status == 200, "\(succeeded.text)")
        let after = await get(runtime.handler, "/metrics").text
        #expect(after.contains("quota_exporter_config_last_reload_successful 1"))
        #expect(after.contains(#"account="beta""#))
        #expect(!after.contains(#"account="acme""#), "removed targets leave no series behind")
    }

    /// Prometheus' rule: without --web.enable-lifecycle, POST /-/reload is
    /// refused with a 403 naming the flag, and nothing is reloaded.
    @Test func reloadOverHTTPNeedsTheLifecycleFlag() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", staticConfig)
        var options = testOptions
        options.configFile = file
        #expect(!options.enableLifecycle, "off by default")
        let environment = ConfigEnvironment(variables: [:], readFile: ConfigEnvironment.process.readFile)
        let runtime = try makeRuntime(staticConfig, options: options, environment: environment)
        _ = directory.write("config.json", #"{"static": [{"account": "beta", "quotas": [{"quota": "q", "unit": "u", "limit": 3}]}]}"#)
        for method in ["POST", "PUT"] {
            let refused = await get(runtime.handler, "/-/reload", method: method)
            #expect(refused.status == 403)
            #expect(refused.text.contains("--web.enable-lifecycle"))
        }
        #expect(await get(runtime.handler, "/metrics").text.contains(#"account="acme""#), "nothing was reloaded")
        // SIGHUP's path still reloads.
        #expect(try await runtime.reload().get() == ())
        #expect(await get(runtime.handler, "/metrics").text.contains(#"account="beta""#))
    }

    /// `max_concurrency` used to be read once at start; a reload kept the old bound.
    @Test func reloadAppliesNewRequestBounds() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", staticConfig)
        var options = testOptions
        options.configFile = file
        options.enableLifecycle = true
        let environment = ConfigEnvironment(variables: [:], readFile: ConfigEnvironment.process.readFile)
        let runtime = try makeRuntime(staticConfig, options: options, environment: environment)
        #expect(runtime.cache.slots.limits == (64, 16))
        _ = directory.write("config.json", #"{"global": {"max_concurrency": 12, "max_concurrency_per_upstream": 3}, "static": []}"#)
        #expect(await get(runtime.handler, "/-/reload", method: "POST").status == 200)
        #expect(runtime.cache.slots.limits == (12, 3))
    }
}
