import Foundation
import LoopbackSupport
import QuotaCollection
import QuotaConcurrency
import Testing
@testable import QuotaZitadel
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the real exporter binary while it stores notifications as
/// fast as a client can send them: after every kill the state file must
/// parse and hold every notification that was acknowledged with 200.
///
/// It saturates a small machine for half a minute, which starves the
/// timing-sensitive suites running beside it, so it runs on its own:
/// `QUOTA_EXPORTER_CRASH_TESTS=1 swift test --filter CrashSafetyTests`
/// (`.ci/run` does). A plain `swift test` lists it as skipped.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["QUOTA_EXPORTER_CRASH_TESTS"] == "1",
             "kill -9 test: run alone with QUOTA_EXPORTER_CRASH_TESTS=1 swift test --filter CrashSafetyTests")
)
struct CrashSafetyTests {
    static let secret = "0123456789abcdefXYZ-_"

    /// `.build/debug/quota_exporter`, which sits next to the test bundle.
    static func exporterBinary() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("quota_exporter").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw TestFailure("quota_exporter binary not found next to the tests (\(CommandLine.arguments[0])); run swift build first")
    }

    final class Exporter: @unchecked Sendable {
        let process: Spawned
        let port: UInt16

        init(binary: String, config: String, log: String) async throws {
            process = try ChildCommand(
                [binary, "--config.file", config, "--web.listen-address", "127.0.0.1:0"], stdout: .null, stderr: .file(log)
            ).spawn()
            @Sendable func listeningPort() -> UInt16? {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                guard let range = text.range(of: "addresses=127.0.0.1:") else { return nil }
                return UInt16(text[range.upperBound...].prefix { $0.isNumber })
            }
            _ = await eventually(within: 30) { listeningPort() != nil }
            guard let found = listeningPort() else {
                process.signal(SIGTERM)
                throw TestFailure("exporter did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            port = found
        }

        func kill9() async {
            process.signal(SIGKILL)
            await process.waitForExit()
        }
    }

    @Test func killDuringWritesNeverLosesAnAcknowledgedNotificationOrBreaksTheFile() async throws {
        let binary = try Self.exporterBinary()
        let scratch = try ScratchDirectory()
        let stateFile = scratch.file("state.json")
        let config = try scratch.write("config.json", #"{"zitadel":[{"url":"https://z.example","instance_id":"inst1","provisioning":false,"receiver_secret":"\#(Self.secret)","state_file":"\#(stateFile)","quotas":[{"unit":"requests_all_authenticated","amount":1000000,"from":"2026-01-01T00:00:00Z","reset_interval":"30d"}]}]}"#)
        // A full state (the per-instance cap) makes every write ~150 KB, so
        // kills land inside writes rather than only between them.
        var initial = ZitadelState()
        initial.instances["inst1"] = ZitadelState.Instance(notifications: (0..<StateStore.maxNotificationsPerInstance).map {
            ZitadelNotification(id: "old-\($0)", unit: .requestsAllAuthenticated, periodStart: 0, threshold: 1, usage: 1, receivedAt: Double($0))
        })
        try StateFile.writeAtomically(initial.serialized(), to: stateFile)
        let acknowledged = Locked<Set<String>>([])
        let client = makeHTTPClient()

        for round in 0..<8 {
            let exporter = try await Exporter(binary: binary, config: config, log: scratch.file("exporter-\(round).log"))
            let url = "http://127.0.0.1:\(exporter.port)\(ZitadelInstance.receiverPath)/inst1/\(Self.secret)"
            // Two senders keep writes going while the kill lands.
            let senders = (0..<2).map { sender in
                Task {
                    var sequence = 0
                    while !Task.isCancelled {
                        let id = "r\(round)-s\(sender)-\(sequence)"
                        sequence += 1
                        let body = #"{"unit":1,"id":"\#(id)","callURL":"x","periodStart":"2026-11-01T00:00:00Z","threshold":\#(sequence),"usage":\#(sequence)}"#
                        guard let response = try? await post(client, url, body: Array(body.utf8)) else { return }
                        if response.status == 200 { acknowledged.withLock { _ = $0.insert(id) } }
                    }
                }
            }
            let target = acknowledged.current.count + 10 + round * 3
            #expect(await eventually(within: 60) { acknowledged.current.count >= target })
            await exporter.kill9()
            for sender in senders { sender.cancel() }
            for sender in senders { await sender.value }

            // Decoded strictly: a torn file would fail here, not be moved aside.
            let bytes = try #require(try StateFile.read(stateFile))
            let state = try ZitadelState.decode(bytes)
            let stored = Set(state.instances["inst1"]?.notifications.map(\.id) ?? [])
            let lost = acknowledged.current.subtracting(stored)
            #expect(lost.isEmpty, "round \(round): acknowledged but not stored: \(lost.sorted().prefix(5))")
        }
        let total = acknowledged.current.count
        #expect(total >= 8 * 10 + 3 * 28)
    }
}
