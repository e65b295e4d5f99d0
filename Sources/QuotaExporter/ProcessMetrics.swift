#if canImport(Glibc)
import Glibc
#endif
import Foundation
import QuotaExposition

/// The standard `process_*` metrics every Prometheus client library
/// exports, read from `/proc` at scrape time so they are always current.
/// A file that can't be read (not Linux, a locked-down /proc) leaves its
/// metrics out rather than reporting zeros.
public enum ProcessMetrics {
    public static func families(procRoot: String = "/proc") -> [MetricFamily] {
        var families: [MetricFamily] = []
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = readStat(procRoot + "/self/stat") {
            families.append(MetricFamily(
                name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: .counter,
                samples: [Sample(value: (stat.userTicks + stat.systemTicks) / ticks)]
            ))
            families.append(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", stat.virtualBytes))
            families.append(gauge("process_resident_memory_bytes", "Resident memory size in bytes.", stat.residentPages * pageSize))
            if let bootTime = readBootTime(procRoot + "/stat") {
                families.append(gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", bootTime + stat.startTicks / ticks))
            }
        }
        if let open = try? FileManager.default.contentsOfDirectory(atPath: procRoot + "/self/fd") {
            families.append(gauge("process_open_fds", "Number of open file descriptors.", Double(open.count)))
        }
        var files = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0 {
            families.append(gauge("process_max_fds", "Maximum number of open file descriptors.", Double(files.rlim_cur)))
        }
        // Unlimited reads as 2^64-1, as client_golang reports it.
        var memory = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &memory) == 0 {
            families.append(gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", Double(memory.rlim_cur)))
        }
        return families
    }

    struct Stat {
        var userTicks: Double
        var systemTicks: Double
        var startTicks: Double
        var virtualBytes: Double
        var residentPages: Double
    }

    /// Fields are counted after the last `)`, because the command name in
    /// parentheses may itself contain spaces and parentheses.
    static func parseStat(_ text: String) -> Stat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field N is at index N - 3.
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return index < fields.count ? Double(fields[index]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22),
              let virtual = field(23), let resident = field(24) else { return nil }
        return Stat(userTicks: user, systemTicks: system, startTicks: start, virtualBytes: virtual, residentPages: resident)
    }

    static func parseBootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    private static func readStat(_ path: String) -> Stat? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(parseStat)
    }

    private static func readBootTime(_ path: String) -> Double? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(parseBootTime)
    }

    private static func gauge(_ name: String, _ help: String, _ value: Double) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .gauge, samples: [Sample(value: value)])
    }
}
