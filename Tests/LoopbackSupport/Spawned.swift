import Foundation
import Glibc

/// A child process started with posix_spawn, for the test servers and
/// openssl. Not Foundation's `Process`: its `run()` crashed now and then
/// inside libFoundation (a memcpy in `Process.run`) while other suites of
/// this process spawned children at the same time. Here the child gets
/// only its stdin/stdout pipes (everything else closed), default signal
/// dispositions and an empty signal mask.
public final class Spawned: @unchecked Sendable {
    public let pid: pid_t
    /// The write end of the child's stdin; closing it is the test servers' signal to exit.
    private(set) var input: Int32
    /// The read end of the child's stdout.
    private(set) var output: Int32
    private var reaped = false

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc 2.34+; declared only under _GNU_SOURCE, so looked up.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    public init(_ arguments: [String]) throws {
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        // pipe2 is _GNU_SOURCE-only; close-on-exec right after is enough,
        // since every child started here closes all but 0-2 anyway.
        guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0 else {
            throw LoopbackError(message: "pipe failed")
        }
        for fd in stdinPipe + stdoutPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        _ = Self.addCloseFrom?(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        guard code == 0 else {
            close(stdinPipe[1])
            close(stdoutPipe[0])
            throw LoopbackError(message: "posix_spawn \(arguments[0]): \(String(cString: strerror(code)))")
        }
        self.pid = pid
        self.input = stdinPipe[1]
        self.output = stdoutPipe[0]
    }

    /// Never waits: the last reference usually goes at the end of an async
    /// test, on one of the few cooperative threads every suite of this
    /// process shares, and a Python server takes its poll interval (0.5 s,
    /// more on a busy machine) to exit. Waiting there starved the whole
    /// test run. The child is killed and reaped on a thread of its own.
    deinit {
        if input >= 0 { close(input) }
        if output >= 0 { close(output) }
        guard !reaped else { return }
        let pid = pid
        kill(pid, SIGKILL)
        Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }.start()
    }

    /// One line of the child's stdout (blocking).
    public func readLine() -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(output, &byte, 1) == 1, byte != 10 {
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// Closes the child's stdin and waits for it; the exit status, or -1.
    @discardableResult
    public func closeInputAndWait() -> Int32 {
        if input >= 0 {
            close(input)
            input = -1
        }
        guard !reaped else { return -1 }
        reaped = true
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        // WIFEXITED / WEXITSTATUS
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }
}
