#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<state file>.lock`, held for as long as the
/// process uses the state file.
///
/// Two processes (or two stores) writing one state file each replace the
/// whole file with their own copy, so notifications one of them
/// acknowledged vanish. The lock makes the second one refuse instead. The
/// lock file holds the holder's pid so the refusal can name it; the kernel
/// drops the lock when the process dies, however it dies, so a stale lock
/// file never blocks a restart.
final class StateFileLock: Sendable {
    struct Conflict: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Unlocks before closing: a child process started by another thread
    /// holds a copy of the descriptor from its fork until it execs (close-on-
    /// exec acts only then), and the lock belongs to the open file, not to
    /// this descriptor, so a bare `close` would leave it held for that long.
    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    static func lockPath(for statePath: String) -> String {
        statePath + ".lock"
    }

    /// Takes the lock without waiting; `Conflict` when someone holds it.
    static func acquire(for statePath: String) throws(Conflict) -> StateFileLock {
        let path = lockPath(for: statePath)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw Conflict(description: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        var result: Int32
        repeat {
            result = flock(descriptor, LOCK_EX | LOCK_NB)
        } while result != 0 && errno == EINTR
        if result != 0 {
            let code = errno
            let holder = code == EWOULDBLOCK ? holderPID(descriptor) : nil
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw Conflict(description: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            throw Conflict(description: "\(statePath) is in use by another quota_exporter"
                + (holder.map { " (pid \($0))" } ?? "")
                + "; two processes on one state file would overwrite each other's notifications (lock file \(path))")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return StateFileLock(path: path, descriptor: descriptor)
    }

    /// The pid the holder wrote, if it is a plausible one.
    private static func holderPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let digits = buffer[..<count].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        return digits.reduce(Int32(0)) { $0 * 10 + Int32($1 - UInt8(ascii: "0")) }
    }
}
