#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency
import QuotaExposition

/// The standard `process_*` metrics every Prometheus client library
/// exports, read from `/proc` at scrape time so they are always current.
/// A file that can't be read (not Linux, a locked-down /proc) leaves its
/// metrics out rather than reporting zeros.
///
/// This runs on every scrape, so it reads with plain syscalls into a byte
/// buffer and parses bytes: going through `String` and `split` cost more
/// than everything else a cached scrape does.
public enum ProcessMetrics {
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    /// Constant for the life of the process, so read once.
    static let startTime: Double? = {
        guard let stat = readFile("/proc/self/stat").flatMap(parseStat),
              let boot = readFile("/proc/stat").flatMap(parseBootTime) else { return nil }
        return boot + stat.startTicks / ticksPerSecond
    }()

    /// One value per `process_*` family, nil where it could not be read.
    struct Readings {
        var cpuSeconds: Double?
        var virtualBytes: Double?
        var residentBytes: Double?
        var startTime: Double?
        var openFDs: Double?
        var maxFDs: Double?
        var virtualMaxBytes: Double?

        /// In `definitions` order.
        var values: [Double?] {
            [cpuSeconds, virtualBytes, residentBytes, startTime, openFDs, maxFDs, virtualMaxBytes]
        }
    }

    /// Name, HELP and type of each family, in `Readings.values` order.
    static let definitions: [(name: String, help: String, type: MetricType)] = [
        ("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter),
        ("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge),
        ("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge),
        ("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge),
        ("process_open_fds", "Number of open file descriptors.", .gauge),
        ("process_max_fds", "Maximum number of open file descriptors.", .gauge),
        ("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", .gauge),
    ]

    static func currentReadings() -> Readings {
        var readings = Readings()
        let now = monotonicSeconds()
        let stat = statReading.value(now: now) { (statFile.read() ?? readFile("/proc/self/stat")).flatMap(parseStat) }
        if let stat {
            readings.cpuSeconds = (stat.userTicks + stat.systemTicks) / ticksPerSecond
            readings.virtualBytes = stat.virtualBytes
            readings.residentBytes = stat.residentPages * pageSize
        }
        readings.startTime = startTime
        readings.openFDs = openDescriptors.value(now: now, compute: countOpenDescriptors).map(Double.init)
        let limits = resourceLimits.value(now: now, compute: currentLimits)
        readings.maxFDs = limits?.files
        readings.virtualMaxBytes = limits?.memory
        return readings
    }

    /// `RLIMIT_NOFILE` and `RLIMIT_AS`, soft limits; nil where unreadable.
    struct Limits: Sendable {
        var files: Double?
        var memory: Double?
    }

    static func currentLimits() -> Limits? {
        var limits = Limits()
        var files = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0 {
            limits.files = Double(files.rlim_cur)
        }
        // Unlimited reads as 2^64-1, as client_golang reports it.
        var memory = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &memory) == 0 {
            limits.memory = Double(memory.rlim_cur)
        }
        return limits
    }

    /// Limits change only when someone runs `prlimit` on the process: two
    /// syscalls per scrape bought nothing, so they are reused for a second,
    /// like the descriptor count.
    static let resourceLimits = ReusedValue<Limits>(maxAge: 1)

    /// `/proc/self/stat`, kept open and read again when `statReading` is
    /// older than a clock tick.
    static let statFile = ProcFile(path: "/proc/self/stat")

    /// The CPU time in `/proc/self/stat` counts in clock ticks (10 ms), so
    /// a reading younger than one tick is as current as a new one; scrapes
    /// that close together (several scrapers, a load test) share it instead
    /// of each paying the kernel's `do_task_stat` (6 % of the event loop's
    /// time in a profile of back-to-back scrapes on one connection).
    static let statReading = ReusedValue<Stat>(maxAge: 1 / ticksPerSecond)

    public static func families() -> [MetricFamily] {
        zip(definitions, currentReadings().values).compactMap { definition, value in
            value.map { MetricFamily(name: definition.name, help: definition.help, type: definition.type, samples: [Sample(value: $0)]) }
        }
    }

    /// The families pre-rendered up to their values, per format.
    static let text = definitions.map { FixedFamily(name: $0.name, help: $0.help, type: $0.type, format: .text) }
    static let openMetrics = definitions.map { FixedFamily(name: $0.name, help: $0.help, type: $0.type, format: .openMetrics) }

    /// What a scrape appends, sorted by name: only the values are written
    /// now, and only those that changed since the last scrape (the start
    /// time and the limits never do, memory seldom).
    static func rendered(format: ExpositionFormat) -> [RenderedFamily] {
        rendered(currentReadings().values, format: format)
    }

    /// `values` are `Readings.values`.
    static func rendered(_ values: [Double?], format: ExpositionFormat) -> [RenderedFamily] {
        (format == .text ? keptText : keptOpenMetrics).rendered(nameOrder.map { values[$0] })
    }

    /// `definitions` indexes in the order of the families' names, the
    /// same in both formats; producing them in order spares sorting the
    /// live families at every scrape.
    static let nameOrder: [Int] = definitions.indices.sorted {
        text[$0].name.utf8.lexicographicallyPrecedes(text[$1].name.utf8)
    }
    private static let keptText = KeptValues(nameOrder.map { text[$0] })
    private static let keptOpenMetrics = KeptValues(nameOrder.map { openMetrics[$0] })

    /// Each family's rendering with the value it was made for, given
    /// again while the value is the same (bit for bit).
    final class KeptValues: @unchecked Sendable {
        private let families: [FixedFamily]
        private let lock = Lock()
        private var kept: [(value: Double, rendered: RenderedFamily)?]

        init(_ families: [FixedFamily]) {
            self.families = families
            self.kept = Array(repeating: nil, count: families.count)
        }

        /// One per non-nil value, in `families` order.
        func rendered(_ values: [Double?]) -> [RenderedFamily] {
            lock.withLock {
                var result: [RenderedFamily] = []
                result.reserveCapacity(families.count)
                for (index, value) in values.enumerated() {
                    guard let value else { continue }
                    if let entry = kept[index], entry.value.bitPattern == value.bitPattern {
                        result.append(entry.rendered)
                    } else {
                        let fresh = families[index].rendered(value)
                        kept[index] = (value, fresh)
                        result.append(fresh)
                    }
                }
                return result
            }
        }
    }

    /// Listing /proc/self/fd costs the kernel more than everything else a
    /// cached scrape does, so the count is reused for up to a second: at
    /// any real scrape interval that is the same as reading it every time.
    static let openDescriptors = ReusedValue<Int>(maxAge: 1)

    static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    struct Stat: Sendable {
        var userTicks: Double
        var systemTicks: Double
        var startTicks: Double
        var virtualBytes: Double
        var residentPages: Double
    }

    /// Fields are counted after the last `)`, because the command name in
    /// parentheses may itself contain spaces and parentheses.
    static func parseStat(_ bytes: [UInt8]) -> Stat? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Field 3 (state) is the first after ") "; field N is the (N-2)th.
        var fields: [Double] = []
        fields.reserveCapacity(24)
        var index = close + 1
        while index < bytes.count, fields.count < 22 {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            var value = 0.0
            var digits = false
            while index < bytes.count, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\n") {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    value = value * 10 + Double(byte - UInt8(ascii: "0"))
                    digits = true
                }
                index += 1
            }
            fields.append(digits ? value : 0)
        }
        guard fields.count >= 22 else { return nil }
        func field(_ number: Int) -> Double { fields[number - 3] }
        return Stat(userTicks: field(14), systemTicks: field(15), startTicks: field(22), virtualBytes: field(23), residentPages: field(24))
    }

    static func parseStat(_ text: String) -> Stat? {
        parseStat(Array(text.utf8))
    }

    static func parseBootTime(_ bytes: [UInt8]) -> Double? {
        let key = Array("\nbtime ".utf8)
        guard bytes.count > key.count else { return nil }
        var index = 0
        while index + key.count <= bytes.count {
            if bytes[index..<(index + key.count)].elementsEqual(key) {
                var value = 0.0
                var cursor = index + key.count
                var digits = false
                while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
                    value = value * 10 + Double(bytes[cursor] - UInt8(ascii: "0"))
                    cursor += 1
                    digits = true
                }
                return digits ? value : nil
            }
            index += 1
        }
        return nil
    }

    static func parseBootTime(_ text: String) -> Double? {
        parseBootTime(Array(("\n" + text).utf8))
    }

    /// Reads a small /proc file whole (they report a size of 0, so read to EOF).
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Entries of /proc/self/fd, less `.`, `..` and the directory's own descriptor.
    static func countOpenDescriptors() -> Int? {
        countEntries(ofDirectory: "/proc/self/fd").map { $0 - 1 }
    }

    /// Entries of a directory other than `.` and `..`.
    ///
    /// `readdir` returns entries packed into its buffer, each only
    /// `d_reclen` bytes long: the last one's `d_name` may end well before
    /// the 256 bytes the struct declares. So the name is read in place,
    /// through a pointer, and never past `d_reclen`; copying the
    /// `d_name` tuple would read beyond the buffer.
    static func countEntries(ofDirectory path: String) -> Int? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var count = 0
        while let entry = readdir(directory) {
            let recordLength = Int(entry.pointee.d_reclen)
            let nameCapacity = recordLength - nameOffset
            let name = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: UInt8.self)
            if !isDotEntry(name, capacity: nameCapacity) { count += 1 }
        }
        return count
    }

    /// Whether the NUL-terminated name at `name` (at most `capacity` bytes)
    /// is `.` or `..`; reads no byte past the terminator or the capacity.
    static func isDotEntry(_ name: UnsafePointer<UInt8>, capacity: Int) -> Bool {
        let dot = UInt8(ascii: ".")
        guard capacity >= 2, name[0] == dot else { return false }
        if name[1] == 0 { return true }
        return capacity >= 3 && name[1] == dot && name[2] == 0
    }

}
