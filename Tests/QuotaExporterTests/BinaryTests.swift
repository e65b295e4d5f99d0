import Foundation
import LoopbackSupport
import Testing

/// The real binary, end to end: flags, exit codes, signals.
@Suite(.serialized) struct BinaryTests {
    @Test func versionAndHelp() async throws {
        let version = try await ExporterProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("quota_exporter, version "))
        let help = try await ExporterProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--web.listen-address"))
    }

    @Test func badFlagExitsTwoWithSuggestion() async throws {
        let result = try await ExporterProcess.run(["--web.listen-adress=:1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("web.listen-address"))
    }

    @Test func configCheckAcceptsGoodAndNamesTheFieldOfBad() async throws {
        let directory = TemporaryDirectory()
        let good = directory.write("good.json", staticConfig)
        let ok = try await ExporterProcess.run(["--config.file=\(good)", "--config.check"])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("configuration OK"))
        #expect(ok.stdout.contains("static=1"))

        let bad = directory.write("bad.json", #"{"static": [{"account": "a", "quotas": [{"quota": "q", "unit": 7}]}]}"#)
        let failed = try await ExporterProcess.run(["--config.file=\(bad)", "--config.check"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("static[0].quotas[0].unit"))
        #expect(failed.stderr.contains("level=error"))

        let missing = try await ExporterProcess.run(["--config.file=\(directory.path)/nope.json"])
        #expect(missing.status == 1, "a bad config stops the exporter before it serves")
        #expect(missing.stderr.contains("nope.json"))
    }

    /// The binary reads YAML by content (the name says .conf), and names
    /// the field, line and column of a bad one.
    @Test func configCheckReadsYAML() async throws {
        let directory = TemporaryDirectory()
        let good = directory.write("good.conf", """
            # a YAML configuration
            global:
              min_interval: 60s
            static:
              - account: 1234567890
                labels: {team: platform}
                quotas:
                  - {quota: seats, unit: seats, limit: 250, usage: 231}
            """)
        let ok = try await ExporterProcess.run(["--config.file=\(good)", "--config.check"])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        #expect(ok.stdout.contains("configuration OK"))
        #expect(ok.stdout.contains("static=1"))

        let bad = directory.write("bad.yaml", "static:\n  - account: a\n    quotas:\n      - quota: q\n        unit: [7]\n")
        let failed = try await ExporterProcess.run(["--config.file=\(bad)", "--config.check"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("static[0].quotas[0].unit (line 5, column 9): expected a string, found an array"), "stderr: \(failed.stderr)")

        let broken = directory.write("broken.yaml", "static:\n  - account: a\n  account: b\n")
        let refused = try await ExporterProcess.run(["--config.file=\(broken)", "--config.check"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("invalid YAML at line 3, column 3"), "stderr: \(refused.stderr)")
    }

    @Test func oncePrintsExpositionAndExitsZero() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", staticConfig)
        let result = try await ExporterProcess.run(["--config.file=\(file)", "--once"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#"quota_limit{provider="static",account="acme",quota="seats",unit="seats",team="platform"} 250"#))
        #expect(result.stdout.contains("# TYPE quota_limit gauge"))
    }

    @Test func storagePathIsCreatedOrRejectedBeforeServing() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", staticConfig)
        let nested = "\(directory.path)/state/quota_exporter"
        let created = try await ExporterProcess.run(["--config.file=\(file)", "--storage.path=\(nested)", "--once"])
        #expect(created.status == 0, "stderr: \(created.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: nested)
        #expect(attributes[.type] as? FileAttributeType == .typeDirectory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700, "it will hold receiver secrets")

        let notDirectory = try await ExporterProcess.run(["--config.file=\(file)", "--storage.path=\(file)", "--once"])
        #expect(notDirectory.status == 1)
        #expect(notDirectory.stderr.contains("--storage.path \(file) is not a directory"))
        #expect(notDirectory.stdout.isEmpty, "nothing is collected with an unusable storage path")
    }

    /// Signals during start-up are neither fatal nor lost. The exporter's
    /// stderr is a pipe this test filled beforehand, so its first log line
    /// (the "no provider configured" warning, written after the
    /// configuration is read and before the listener opens) blocks: the
    /// exporter is provably still starting when SIGHUP and then SIGTERM
    /// arrive. Draining the pipe lets it go on: it must serve, apply the
    /// reload, and exit 0 for the SIGTERM. (This used a FIFO as the config
    /// file; FIFOs are now refused instead of waited on.)
    /// The earliest SIGTERM that can reach the exporter once it has taken
    /// the signal over is honoured. It used to ignore the signals first
    /// (`SIG_IGN`) and let libdispatch install its handler a moment later:
    /// a SIGTERM in between was dropped by the kernel and the process served
    /// on. Polls /proc for the first sign that the signal is no longer at its
    /// default action (ignored or caught) and sends SIGTERM at once.
    @Test func theEarliestStopSignalIsNotLost() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", "{}")
        for _ in 0..<5 {
            let process = try ChildCommand(
                [ExporterProcess.binaryPath, "--config.file=\(file)", "--web.listen-address=127.0.0.1:0"], stdout: .null, stderr: .null
            ).spawn()
            let pid = process.pid
            // The busy poll runs on a thread of its own, not on the cooperative pool.
            let sent = try await offPool { () -> Bool in
                for _ in 0..<200_000 where process.isRunning {
                    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                    let masks = status.split(separator: "\n")
                        .filter { $0.hasPrefix("SigIgn:") || $0.hasPrefix("SigCgt:") }
                        .compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
                    if masks.contains(where: { $0 & (1 << 14) != 0 }) {
                        process.signal(SIGTERM)
                        return true
                    }
                }
                return false
            }
            #expect(sent, "the exporter never took SIGTERM over")
            let exit = await process.waitForExit(timeout: 10)
            #expect(exit != nil, "a SIGTERM sent right after the exporter took the signal over was lost")
            if let exit {
                #expect(exit == .exited(0))
            }
        }
    }

    @Test func signalsDuringStartUpAreNeitherFatalNorLost() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", "{}")
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Fill the pipe to the last byte, so that any write the exporter makes blocks.
        let flags = fcntl(writeEnd, F_GETFL)
        _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
        var prefilled = 0
        let block = [UInt8](repeating: UInt8(ascii: "#"), count: 4096)
        while write(writeEnd, block, block.count) > 0 { prefilled += block.count }
        var byte = UInt8(ascii: "#")
        while write(writeEnd, &byte, 1) == 1 { prefilled += 1 }
        _ = fcntl(writeEnd, F_SETFL, flags)

        let process = try ChildCommand(
            [ExporterProcess.binaryPath, "--config.file=\(file)", "--web.listen-address=127.0.0.1:0"], stdout: .null, stderr: .descriptor(writeEnd)
        ).spawn()
        close(writeEnd)
        let pid = process.pid
        defer { process.signal(SIGTERM) }
        // Wait until the exporter catches SIGHUP and SIGTERM (bits 0 and 14
        // of SigCgt): before that, their default action would still apply.
        var handled = false
        for _ in 0..<1000 where !handled {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let caught = status.split(separator: "\n")
                .first { $0.hasPrefix("SigCgt:") }
                .flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) } ?? 0
            handled = caught & (1 << 0) != 0 && caught & (1 << 14) != 0
            if !handled { try await Task.sleep(nanoseconds: 10_000_000) }
        }
        #expect(handled, "the exporter takes over SIGHUP and SIGTERM before reading its configuration")
        var unread: Int32 = 0
        #expect(ioctl(readEnd, UInt(FIONREAD), &unread) == 0 && Int(unread) == prefilled, "not one byte of the exporter's log got through: it is still starting")
        kill(pid, SIGHUP)
        kill(pid, SIGTERM)
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(process.isRunning, "a start-up signal must not kill the exporter")
        // Unblock the log, reading it to the end (EOF when the exporter exits) off the cooperative pool.
        let skipped = prefilled
        let log = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = read(readEnd, &chunk, chunk.count)
                    if count <= 0 { break }
                    bytes += chunk[..<count]
                }
                close(readEnd)
                continuation.resume(returning: String(decoding: bytes.dropFirst(skipped), as: UTF8.self))
            }
        }
        let exit = await process.waitForExit()
        #expect(exit == .exited(0), "the SIGTERM that came during start-up stops it cleanly: \(log)")
        #expect(log.contains("no provider configured"), "\(log)")
        #expect(log.contains("SIGHUP received"), "the SIGHUP that came during start-up is not lost")
        #expect(log.contains("msg=stopped"))
    }

    /// A FIFO as the config file used to block start-up forever.
    @Test func aConfigFileThatIsAFIFOIsRefusedAtOnce() async throws {
        let directory = TemporaryDirectory()
        let fifo = directory.path + "/config.json"
        #expect(mkfifo(fifo, 0o600) == 0)
        for mode in ["--config.check", "--web.listen-address=127.0.0.1:0"] {
            let result = try await ExporterProcess.run(["--config.file=\(fifo)", mode], timeout: 20)
            #expect(result.status == 1, "\(mode): \(result.stderr)")
            #expect(result.stderr.contains("not a regular file (a FIFO)"), "\(mode): \(result.stderr)")
        }
    }

    @Test func servesReloadsOnSIGHUPAndStopsOnSIGTERM() async throws {
        let directory = TemporaryDirectory()
        let file = directory.write("config.json", staticConfig)
        let child = try ExporterProcess(["--config.file=\(file)", "--web.listen-address=127.0.0.1:0"])
        let port = try #require(await child.waitForPort(), "no listening line in: \(child.stderr)")

        let first = try await fetch(port: port, path: "/metrics")
        #expect(first.status == 200)
        #expect(first.body.contains(#"account="acme""#))
        #expect(try await fetch(port: port, path: "/-/healthy").status == 200)

        _ = directory.write("config.json", #"{"static": [{"account": "reloaded", "quotas": [{"quota": "q", "unit": "u", "limit": 1}]}]}"#)
        child.signal(SIGHUP)
        var body = ""
        for _ in 0..<300 {
            body = try await fetch(port: port, path: "/metrics").body
            if body.contains(#"account="reloaded""#) { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(body.contains(#"account="reloaded""#))
        #expect(child.stderr.contains("configuration reloaded"))

        _ = directory.write("config.json", "{ not json")
        child.signal(SIGHUP)
        for _ in 0..<300 where !child.stderr.contains("reload failed") {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(child.stderr.contains("configuration reload failed"))
        #expect(try await fetch(port: port, path: "/metrics").body.contains(#"account="reloaded""#), "bad reload keeps the old config")

        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
        // The last lines can still be in the pipe when the exit is seen.
        for _ in 0..<250 where !child.stderr.contains("msg=stopped") {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(child.stderr.contains("msg=stopped"))
    }

    @Test func startsWithoutConfigurationAndWarnsOnce() async throws {
        let child = try ExporterProcess(["--web.listen-address=127.0.0.1:0"])
        let port = try #require(await child.waitForPort(), "no listening line in: \(child.stderr)")
        #expect(child.stderr.components(separatedBy: "no provider configured").count == 2)
        let metrics = try await fetch(port: port, path: "/metrics")
        #expect(metrics.body.contains("quota_exporter_build_info{"))
        let page = try await fetch(port: port, path: "/")
        #expect(page.body.contains("Nothing to collect yet"))
        child.signal(SIGINT)
        #expect(await child.waitForExit(timeout: 10) == 0)
    }

    @Test func portInUseIsAClearError() async throws {
        let first = try ExporterProcess(["--web.listen-address=127.0.0.1:0"])
        let port = try #require(await first.waitForPort())
        let second = try await ExporterProcess.run(["--web.listen-address=127.0.0.1:\(port)"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("Address already in use"))
        first.signal(SIGTERM)
        _ = await first.waitForExit(timeout: 10)
    }
}
