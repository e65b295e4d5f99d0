import Foundation
import QuotaLogging
import Testing
@testable import QuotaZitadel

@Suite struct StateStoreTests {
    func notification(
        _ id: String, usage: UInt64 = 500, received: Double = 1000,
        threshold: Int64 = 50, period: String = "2026-11-01T00:00:00Z", unit: ZitadelUnit = .requestsAllAuthenticated
    ) -> ZitadelNotification {
        ZitadelNotification(id: id, unit: unit, periodStart: unixTime(period), threshold: threshold, usage: usage, receivedAt: received)
    }

    @Test func recordsDurablyAndSurvivesARestart() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("state.json")
        let first = StateStore(path: path, logger: .disabled)
        #expect(try first.record(notification("n1"), instance: "i1") == .stored)
        #expect(try first.record(notification("n2", usage: 1000, received: 2000), instance: "i1") == .stored)
        let secret = try first.receiverSecret(for: "i1")

        let restarted = StateStore(path: path, logger: .disabled)
        #expect(try restarted.notifications(for: "i1").map(\.id) == ["n1", "n2"])
        #expect(try restarted.notifications(for: "i1")[1] == notification("n2", usage: 1000, received: 2000))
        #expect(try restarted.existingReceiverSecret(for: "i1") == secret)
        #expect(try restarted.receiverSecret(for: "i1") == secret)
        #expect(restarted.lastReceived(for: "i1") == 2000)
        #expect(scratch.entries() == ["state.json"])
    }

    /// ZITADEL's `id` names the notification rule: a `repeat` rule sends
    /// every threshold, in every period, under one id. Only the same rule,
    /// unit, period and threshold again is a redelivery.
    @Test func aRepeatingRuleSendsManyEventsUnderOneID() throws {
        let scratch = try ScratchDirectory()
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        #expect(try store.record(notification("rule", usage: 500, threshold: 50), instance: "i1") == .stored)
        #expect(try store.record(notification("rule", usage: 1000, threshold: 100), instance: "i1") == .stored)
        #expect(try store.record(notification("rule", usage: 1500, threshold: 150), instance: "i1") == .stored)
        #expect(try store.record(notification("rule", usage: 510, threshold: 50, period: "2026-12-01T00:00:00Z"), instance: "i1") == .stored)
        #expect(try store.record(notification("rule", usage: 520, threshold: 50, unit: .actionsAllRunSeconds), instance: "i1") == .stored)
        #expect(try store.record(notification("rule", usage: 1000, threshold: 100), instance: "i1") == .duplicate)
        let stored = try StateStore(path: scratch.file("state.json"), logger: .disabled).notifications(for: "i1")
        #expect(stored.map(\.usage) == [500, 1000, 1500, 510, 520])
    }

    @Test func sameEventIsStoredOnce() throws {
        let scratch = try ScratchDirectory()
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        #expect(try store.record(notification("dup"), instance: "i1") == .stored)
        #expect(try store.record(notification("dup", usage: 999), instance: "i1") == .duplicate)
        #expect(try store.record(notification("dup"), instance: "other") == .stored)
        #expect(try StateStore(path: scratch.file("state.json"), logger: .disabled).notifications(for: "i1").map(\.usage) == [500])
    }

    @Test func generatedSecretsAreRandomURLSafeAndPerInstance() throws {
        let scratch = try ScratchDirectory()
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        let a = try store.receiverSecret(for: "a")
        let b = try store.receiverSecret(for: "b")
        #expect(a != b)
        #expect(a.count == 43)  // 32 bytes, base64url without padding
        #expect(a.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(try store.existingReceiverSecret(for: "c") == nil)
    }

    @Test func fileIsPrivateToTheOwner() throws {
        let scratch = try ScratchDirectory()
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        _ = try store.receiverSecret(for: "a")
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.file("state.json"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func corruptFileIsReportedMovedAsideAndAFreshStateBegins() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("state.json", #"{"version":1,"instances":{"i1":{"notifications":[{"id":"#)
        let sink = MemoryLogSink()
        let store = StateStore(path: path, logger: Logger(level: .info, sink: sink), clock: { 1_800_000_000 })
        #expect(try store.notifications(for: "i1").isEmpty)
        #expect(scratch.entries() == ["state.json.corrupt-1800000000"])
        #expect(try String(contentsOfFile: path + ".corrupt-1800000000", encoding: .utf8).hasPrefix(#"{"version":1"#))
        #expect(sink.lines.contains { $0.contains("level=error") && $0.contains("corrupt") && $0.contains("moved_to=") })
        #expect(try store.record(notification("n1"), instance: "i1") == .stored)
        #expect(scratch.entries() == ["state.json", "state.json.corrupt-1800000000"])
    }

    @Test func structurallyWrongFileCountsAsCorrupt() throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("state.json", #"{"version":1,"instances":{"i1":{"notifications":[{"id":"x"}]}}}"#)
        let store = StateStore(path: path, logger: .disabled, clock: { 5 })
        #expect(try store.notifications(for: "i1").isEmpty)
        #expect(scratch.entries() == ["state.json.corrupt-5"])
    }

    /// A FIFO in place of the state file used to block the first load forever.
    @Test(.timeLimit(.minutes(1))) func aStateFileThatIsNotARegularFileIsRefusedNotWaitedOn() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("state.json")
        #expect(mkfifo(path, 0o600) == 0)
        let store = StateStore(path: path, logger: .disabled)
        let error = #expect(throws: StateStore.Failure.self) { try store.load() }
        #expect(error?.description == "cannot open \(path): not a regular file (a FIFO); only regular files are read")
        #expect(scratch.entries() == ["state.json"], "not moved aside: it is not a corrupt state")
    }

    @Test func fileFromANewerExporterIsLeftAlone() throws {
        let scratch = try ScratchDirectory()
        let text = #"{"version":2,"whatever":[]}"#
        let path = try scratch.write("state.json", text)
        let store = StateStore(path: path, logger: .disabled)
        #expect(throws: StateStore.Failure.self) { try store.record(notification("n1"), instance: "i1") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(scratch.entries() == ["state.json"])
    }

    @Test func failedWriteIsRolledBackSoTheNotificationCanBeRetried() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.file("sub")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = StateStore(path: directory + "/state.json", logger: .disabled)
        try store.load()
        try FileManager.default.removeItem(atPath: directory)
        #expect(throws: StateStore.Failure.self) { try store.record(notification("n1"), instance: "i1") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(try store.record(notification("n1"), instance: "i1") == .stored)
    }

    @Test func leftoverTemporaryFileFromACrashIsRemovedAtLoad() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("state.json.tmp", "half a write")
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        try store.load()
        #expect(scratch.entries().isEmpty)
    }

    @Test func oldestNotificationsArePrunedBeyondTheCap() throws {
        let scratch = try ScratchDirectory()
        let store = StateStore(path: scratch.file("state.json"), logger: .disabled)
        var state = ZitadelState()
        state.instances["i1"] = ZitadelState.Instance(notifications: (0..<StateStore.maxNotificationsPerInstance).map {
            notification("old\($0)", received: Double($0))
        })
        try StateFile.writeAtomically(state.serialized(), to: scratch.file("state.json"))
        #expect(try store.record(notification("new", received: 1_000_000), instance: "i1") == .stored)
        let kept = try store.notifications(for: "i1")
        #expect(kept.count == StateStore.maxNotificationsPerInstance)
        #expect(kept.first?.id == "old1")
        #expect(kept.last?.id == "new")
    }

    @Test func formatIsVersionedJSONWithoutCallURLs() throws {
        var state = ZitadelState()
        state.instances["i1"] = ZitadelState.Instance(receiverSecret: "s", notifications: [notification("n1", received: 1.5)])
        let text = String(decoding: state.serialized(), as: UTF8.self)
        #expect(text == #"{"version":1,"instances":{"i1":{"receiver_secret":"s","notifications":[{"id":"n1","unit":1,"period_start":1793491200,"threshold":50,"usage":500,"received_at":1.5}]}}}"# + "\n")
        #expect(try ZitadelState.decode(state.serialized()) == state)
    }
}
