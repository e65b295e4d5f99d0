@testable import QuotaExporter
import QuotaExposition
import Testing

@Suite struct ProcessMetricsTests {
    @Test func parsesStatWithSpacesAndParenthesesInTheName() throws {
        let line = "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 5000 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0"
        let stat = try #require(ProcessMetrics.parseStat(line))
        #expect(stat.userTicks == 250)
        #expect(stat.systemTicks == 50)
        #expect(stat.startTicks == 5000)
        #expect(stat.virtualBytes == 104_857_600)
        #expect(stat.residentPages == 2560)
    }

    @Test func parsesBootTime() {
        #expect(ProcessMetrics.parseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 5\n") == 1_700_000_000)
        #expect(ProcessMetrics.parseBootTime("cpu 1 2 3\n") == nil)
    }

    @Test func readsThisProcess() {
        let names = Set(ProcessMetrics.families().map(\.name))
        for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                     "process_start_time_seconds", "process_open_fds", "process_max_fds"] {
            #expect(names.contains(name), "\(name) missing")
        }
        let rss = ProcessMetrics.families().first { $0.name == "process_resident_memory_bytes" }?.samples.first?.value ?? 0
        #expect(rss > 1_000_000)
    }
}

@Suite struct ReusedValueTests {
    @Test func recomputesOnlyWhenOlderThanMaxAge() {
        let reused = ReusedValue<Int>(maxAge: 1)
        var computed = 0
        func next() -> Int? { computed += 1; return computed }
        #expect(reused.value(now: 10, compute: next) == 1)
        #expect(reused.value(now: 10.5, compute: next) == 1)
        #expect(reused.value(now: 11, compute: next) == 2)
        #expect(reused.value(now: 5, compute: next) == 3, "a clock that went back recomputes")
    }
}
