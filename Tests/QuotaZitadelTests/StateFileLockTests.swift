import Foundation
import QuotaCollection
import QuotaConfig
import Testing
@testable import QuotaZitadel

/// One writer per state file: spellings of one path share a store, and a
/// second writer (another process, or another store) is refused.
@Suite struct StateFileLockTests {
    static let quotas = #""quotas": [{"unit": "requests_all_authenticated", "amount": 1000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]"#

    static func entry(_ instance: String, stateFile: String) -> String {
        #"{"url": "https://z.example", "instance_id": "\#(instance)", "provisioning": false, "receiver_secret": "0123456789abcdef-_", "state_file": "\#(stateFile)", \#(quotas)}"#
    }

    static func store(_ targets: [Target], _ instance: String) -> StateStore? {
        targets.lazy.compactMap { $0.collector as? ZitadelQuotaCollector }.first { $0.instance.instanceID == instance }?.store
    }

    /// `dir/zitadel-state.json` and `dir/./zitadel-state.json` used to get
    /// two stores, each saving its own copy over the other's: both POSTs
    /// were answered "stored", and after a restart one instance's usage was gone.
    @Test func twoSpellingsOfOnePathShareOneStoreAndKeepBothInstances() throws {
        let scratch = try ScratchDirectory()
        let provider = makeProvider(storagePath: nil)
        let targets = try zitadelTargets(
            Self.entry("inst1", stateFile: scratch.path + "/zitadel-state.json") + ","
                + Self.entry("inst2", stateFile: scratch.path + "/./zitadel-state.json"),
            provider: provider)
        let first = try #require(Self.store(targets, "inst1"))
        let second = try #require(Self.store(targets, "inst2"))
        #expect(first === second)
        #expect(first.path == StateStoreRegistry.canonicalPath(scratch.path + "/zitadel-state.json"))

        let notification = ZitadelNotification(id: "n", unit: .requestsAllAuthenticated, periodStart: 0, threshold: 50, usage: 500, receivedAt: 1)
        #expect(try first.record(notification, instance: "inst1") == .stored)
        #expect(try second.record(notification, instance: "inst2") == .stored)
        let reread = StateStore(path: scratch.file("zitadel-state.json"), logger: .disabled)
        #expect(try reread.notifications(for: "inst1").count == 1)
        #expect(try reread.notifications(for: "inst2").count == 1)
        #expect(scratch.entries() == ["zitadel-state.json", "zitadel-state.json.lock"])
        first.releaseLock()
    }

    @Test func canonicalPathsOfFilesThatDoNotExistYet() throws {
        let scratch = try ScratchDirectory()
        let real = StateStoreRegistry.canonicalPath(scratch.path + "/state.json")
        #expect(StateStoreRegistry.canonicalPath(scratch.path + "/./state.json") == real)
        #expect(StateStoreRegistry.canonicalPath(scratch.path + "//state.json") == real)
        try FileManager.default.createDirectory(atPath: scratch.file("sub"), withIntermediateDirectories: true)
        #expect(StateStoreRegistry.canonicalPath(scratch.path + "/sub/../state.json") == real)
        try FileManager.default.createSymbolicLink(atPath: scratch.file("link"), withDestinationPath: scratch.path)
        #expect(StateStoreRegistry.canonicalPath(scratch.path + "/link/state.json") == real)
        #expect(StateStoreRegistry.canonicalPath("/no/such/dir/state.json") == "/no/such/dir/state.json")
    }

    @Test func aSecondWriterIsRefusedWithThePathAndHolderUntilTheFirstLetsGo() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("zitadel-state.json")
        let holder = StateStore(path: path, logger: .disabled, exclusive: true)
        try holder.load()
        let other = StateStore(path: path, logger: .disabled, exclusive: true)
        let error = #expect(throws: StateStore.Failure.self) { try other.load() }
        #expect(error?.isLockConflict == true)
        #expect(error?.description.contains("\(path) is in use by another quota_exporter (pid \(getpid()))") == true, "\(String(describing: error))")
        #expect(throws: StateStore.Failure.self) { _ = try other.receiverSecret(for: "inst1") }

        holder.releaseLock()
        try other.load()
        #expect(try other.receiverSecret(for: "inst1").count >= 16)
        other.releaseLock()
    }

    /// CI once saw the lock still held after `releaseLock`: a child spawned
    /// by another test had the lock's descriptor from its fork, and the lock
    /// belongs to the open file, so closing ours did not drop it. A child
    /// that keeps a copy for as long as it runs makes that window certain.
    @Test func releasingDropsTheLockEvenWhileAChildHoldsACopyOfItsDescriptor() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("zitadel-state.json")
        let holder = StateStore(path: path, logger: .disabled, exclusive: true)
        try holder.load()
        let descriptor = try #require(Self.openDescriptor(of: StateFileLock.lockPath(for: path)))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 onto 3 gives the child a copy without close-on-exec.
        posix_spawn_file_actions_adddup2(&actions, descriptor, 3)
        var child: pid_t = 0
        let arguments = ["/bin/sleep", "30"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&child, "/bin/sleep", &actions, nil, &argv, nil) == 0)
        defer {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }

        holder.releaseLock()
        let other = StateStore(path: path, logger: .disabled, exclusive: true)
        try other.load()
        other.releaseLock()
    }

    /// The descriptor this process has open on `path`, found in /proc/self/fd.
    static func openDescriptor(of path: String) -> Int32? {
        let directory = "/proc/self/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.lazy.compactMap { name -> Int32? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + name),
                  target == path else { return nil }
            return Int32(name)
        }.first
    }

    @Test func prepareRefusesAConfigurationWhoseStateFileIsHeldNamingTheEntry() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("zitadel-state.json")
        let holder = StateStore(path: path, logger: .disabled, exclusive: true)
        try holder.load()
        let provider = makeProvider(storagePath: nil)
        let targets = try zitadelTargets(Self.entry("inst1", stateFile: path), provider: provider)
        #expect {
            try provider.prepare(targets)
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("zitadel[0]") && text.contains("\(path) is in use by another quota_exporter")
        }
        holder.releaseLock()
        try provider.prepare(targets)
    }
}
