#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaTime
import QuotaConcurrency
import QuotaLogging

/// The notifications and generated receiver secrets of every instance that
/// uses one state file, in memory and on disk.
///
/// Every change is written to disk (atomically, fsynced) before the call
/// returns, and rolled back in memory when the write fails: the receiver
/// answers 2xx only after `record` returned, so ZITADEL retries anything we
/// could not keep. Calls are serialized by a lock; writes are rare (a few
/// notifications per period) so holding it across the fsync is fine.
final class StateStore: Sendable {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
        /// Another process (or store) holds the state file's lock: a
        /// configuration problem that refuses start-up, not a disk problem.
        var isLockConflict = false
    }

    enum RecordOutcome: Sendable, Equatable {
        case stored
        case duplicate
    }

    /// Oldest notifications beyond this many per instance are dropped, so the
    /// file stays small over years; only the current period's are used.
    static let maxNotificationsPerInstance = 1000

    let path: String
    private let logger: Logger
    private let clock: @Sendable () -> Double
    /// nil until the file has been loaded successfully.
    private let state = Locked<ZitadelState?>(nil)
    /// Whether loading takes the file's `StateFileLock` first: true for the
    /// stores the provider writes through; tests reading a file back do not.
    private let exclusive: Bool
    private let fileLock = Locked<StateFileLock?>(nil)

    init(path: String, logger: Logger, clock: @escaping @Sendable () -> Double = { WallClock.now() }, exclusive: Bool = false) {
        self.path = path
        self.logger = logger.with(["state_file": path])
        self.clock = clock
        self.exclusive = exclusive
    }

    /// Lets another process take the file; called at shutdown.
    func releaseLock() {
        fileLock.withLock { $0 = nil }
    }

    private func lockIfExclusive() throws(Failure) {
        guard exclusive else { return }
        let result: Result<Void, Failure> = fileLock.withLock { held in
            if held != nil { return .success(()) }
            do throws(StateFileLock.Conflict) {
                held = try StateFileLock.acquire(for: path)
                return .success(())
            } catch {
                return .failure(Failure(description: error.description, isLockConflict: true))
            }
        }
        try result.get()
    }

    /// Loads the file if that has not happened yet. A file that does not
    /// parse is moved aside (never silently lost) and a fresh state begins;
    /// a file we cannot read, or one from a newer exporter, is left alone
    /// and every call fails until that is fixed.
    func load() throws(Failure) {
        let result: Result<Void, Failure> = state.withLock { current in
            if current != nil { return .success(()) }
            do throws(Failure) {
                try lockIfExclusive()
                current = try readState()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// The instance's generated receiver secret, generating and persisting
    /// one first if there is none.
    func receiverSecret(for instance: String) throws(Failure) -> String {
        try mutate { (state: inout ZitadelState) throws(Failure) -> (String, Bool) in
            if let secret = state.instances[instance]?.receiverSecret {
                return (secret, false)
            }
            let secret: String
            do throws(RandomSecret.Unavailable) {
                secret = try RandomSecret.generate()
            } catch {
                throw Failure(description: error.description)
            }
            state.instances[instance, default: ZitadelState.Instance()].receiverSecret = secret
            return (secret, true)
        }
    }

    /// The generated secret if one exists; never creates one.
    func existingReceiverSecret(for instance: String) throws(Failure) -> String? {
        try load()
        return state.withLock { $0?.instances[instance]?.receiverSecret }
    }

    /// Stores `notification` durably unless the same event (rule id, unit,
    /// period and threshold) is already there.
    func record(_ notification: ZitadelNotification, instance: String) throws(Failure) -> RecordOutcome {
        try mutate { (state: inout ZitadelState) throws(Failure) -> (RecordOutcome, Bool) in
            var entry = state.instances[instance] ?? ZitadelState.Instance()
            let key = notification.eventKey
            if entry.notifications.contains(where: { $0.eventKey == key }) {
                return (.duplicate, false)
            }
            entry.notifications.append(notification)
            if entry.notifications.count > Self.maxNotificationsPerInstance {
                entry.notifications.sort { $0.receivedAt < $1.receivedAt }
                entry.notifications.removeFirst(entry.notifications.count - Self.maxNotificationsPerInstance)
            }
            state.instances[instance] = entry
            return (.stored, true)
        }
    }

    func notifications(for instance: String) throws(Failure) -> [ZitadelNotification] {
        try load()
        return state.withLock { $0?.instances[instance]?.notifications ?? [] }
    }

    /// The last time a notification for `instance` was stored; nil when
    /// none was or the file is not loaded. Never touches the disk, so it is
    /// safe to call during a scrape.
    func lastReceived(for instance: String) -> Double? {
        state.withLock { $0?.instances[instance]?.notifications.map(\.receivedAt).max() }
    }

    /// Applies `change` to a copy of the state; when it says the state
    /// changed, writes the copy and only then makes it current.
    private func mutate<Result>(_ change: (inout ZitadelState) throws(Failure) -> (Result, Bool)) throws(Failure) -> Result {
        try load()
        let outcome: Swift.Result<Result, Failure> = state.withLock { current in
            guard var next = current else { return .failure(Failure(description: "state not loaded")) }
            do throws(Failure) {
                let (result, changed) = try change(&next)
                if changed {
                    do {
                        try StateFile.writeAtomically(next.serialized(), to: path)
                    } catch {
                        return .failure(Failure(description: "cannot save state: \(error)"))
                    }
                    current = next
                }
                return .success(result)
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    private func readState() throws(Failure) -> ZitadelState {
        StateFile.removeLeftoverTemporary(for: path)
        let bytes: [UInt8]?
        do {
            bytes = try StateFile.read(path)
        } catch {
            throw Failure(description: error.description)
        }
        guard let bytes else {
            logger.info("no state file yet; starting with an empty state")
            return ZitadelState()
        }
        do {
            let loaded = try ZitadelState.decode(bytes)
            let count = loaded.instances.values.reduce(0) { $0 + $1.notifications.count }
            logger.info("state loaded", ["instances": String(loaded.instances.count), "notifications": String(count)])
            return loaded
        } catch {
            if error.newerVersion {
                throw Failure(description: "\(path): \(error.description); not touching it (upgrade the exporter or move the file away)")
            }
            let aside: String
            do {
                aside = try StateFile.moveAside(path, now: clock())
            } catch let moveError {
                throw Failure(description: "\(path) is corrupt (\(error.description)) and could not be moved aside: \(moveError)")
            }
            logger.error("state file is corrupt; moved it aside and starting with an empty state", [
                "err": error.description, "moved_to": aside,
            ])
            return ZitadelState()
        }
    }
}
