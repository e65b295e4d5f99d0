import Foundation
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

    /// Names of every length up to 255 bytes, enough of them to fill
    /// several of readdir's buffers, so that some buffer ends with a short
    /// name: reading a whole 256-byte `d_name` there read past the buffer
    /// (AddressSanitizer reports it: `swift test --sanitize=address`).
    @Test func countsEveryEntryOfADirectoryExactly() throws {
        let directory = NSTemporaryDirectory() + "quota-fd-count-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var names: Set<String> = []
        for length in 1...255 {
            for variant in ["a", "b", "c"] {
                names.insert(String(repeating: variant, count: length))
            }
        }
        names.insert(".hidden")
        names.insert("..x")
        for name in names {
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: nil), "\(name.count)")
        }
        #expect(ProcessMetrics.countEntries(ofDirectory: directory) == names.count)
    }

    @Test func dotEntriesAreRecognisedWithinTheirCapacity() {
        func isDot(_ bytes: [UInt8], capacity: Int) -> Bool {
            bytes.withUnsafeBufferPointer { ProcessMetrics.isDotEntry($0.baseAddress!, capacity: capacity) }
        }
        #expect(isDot([0x2E, 0], capacity: 2))
        #expect(isDot([0x2E, 0x2E, 0], capacity: 3))
        #expect(!isDot([0x2E, 0x2E, 0], capacity: 2))
        #expect(!isDot([0x2E, 0x61, 0], capacity: 3))
        #expect(!isDot([0x2E, 0x2E, 0x2E, 0], capacity: 4))
    }

    @Test func openDescriptorsIncludeOnesJustOpened() throws {
        let before = try #require(ProcessMetrics.countOpenDescriptors())
        var descriptors: [Int32] = []
        for _ in 0..<64 {
            var pair: [Int32] = [0, 0]
            #expect(pipe(&pair) == 0)
            descriptors += pair
        }
        defer { descriptors.forEach { close($0) } }
        let after = try #require(ProcessMetrics.countOpenDescriptors())
        // Other tests open and close descriptors meanwhile; 128 of ours are certain.
        #expect(after >= 128, "before \(before), after \(after)")
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

@Suite struct ProcFileTests {
    private func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "procfile-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// Read again from the start each time through the one descriptor, so
    /// a file whose content changes (as /proc's do) is seen as it is now.
    @Test func eachReadSeesTheCurrentContent() throws {
        let path = try temporaryFile("first")
        defer { unlink(path) }
        let file = ProcFile(path: path)
        #expect(file.read() == Array("first".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data("second".utf8))
        try handle.close()
        #expect(file.read() == Array("second".utf8))
    }

    @Test func contentThatMayNotFitIsLeftToTheLongWay() throws {
        let path = try temporaryFile(String(repeating: "x", count: 64))
        defer { unlink(path) }
        #expect(ProcFile(path: path, capacity: 64).read() == nil, "filled the buffer: perhaps longer")
        #expect(ProcFile(path: path, capacity: 65).read()?.count == 64)
        #expect(ProcFile(path: path + "-missing").read() == nil)
    }

    @Test func readsThisProcessesStatLikeTheFileReader() throws {
        let kept = try #require(ProcessMetrics.statFile.read().flatMap(ProcessMetrics.parseStat))
        let fresh = try #require(ProcessMetrics.readFile("/proc/self/stat").flatMap(ProcessMetrics.parseStat))
        #expect(kept.startTicks == fresh.startTicks)
        #expect(kept.userTicks <= fresh.userTicks)
        #expect(kept.virtualBytes > 0 && kept.residentPages > 0)
    }
}
