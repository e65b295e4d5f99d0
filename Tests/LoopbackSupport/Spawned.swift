import Foundation
import Glibc

/// A child process started with posix_spawn (see `ChildCommand` for why
/// not Foundation's `Process`). The child gets only its three standard
/// streams (everything else closed), default signal dispositions and an
/// empty signal mask. The blocking calls (`readLine`, `drain`, `finish`,
/// `wait`) belong off the cooperative pool: use `ChildCommand.run`,
/// `waitForExit` or `offPool`.
public final class Spawned: @unchecked Sendable {
    public enum Stream: Sendable { case stdout, stderr }

    public let pid: pid_t
    /// The write end of the child's stdin; closing it is the test servers' signal to exit.
    private(set) var input: Int32
    /// The read ends of the child's stdout and stderr.
    private(set) var output: Int32
    private(set) var errors: Int32
    /// `ChildCommand.Input.bytes`, for `finish` to write.
    private let pendingInput: [UInt8]
    /// Guards `exit`: once reaped the pid may belong to another process,
    /// so no signal may go to it after that.
    private let lock = NSLock()
    private var exit: ExitStatus?

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// glibc 2.34 and 2.29; declared only under _GNU_SOURCE, so looked up.
    private static let addCloseFrom: AddCloseFrom? = lookUp("posix_spawn_file_actions_addclosefrom_np")
    private static let addChdir: AddChdir? = lookUp("posix_spawn_file_actions_addchdir_np")

    private static func lookUp<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: T.self)
    }

    /// stdin and stdout pipes, stderr to /dev/null: the Python servers and shell scripts.
    public convenience init(_ arguments: [String]) throws {
        try self.init(ChildCommand(arguments, stdin: .pipe, stdout: .pipe, stderr: .null))
    }

    public init(_ command: ChildCommand) throws {
        let arguments = command.arguments
        guard let program = arguments.first else { throw LoopbackError(message: "spawn: no program") }
        // Every descriptor made here is closed again on every path out.
        var ours: [Int32] = []
        var theirs: [Int32] = []
        defer { theirs.forEach { close($0) } }
        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var ends: [Int32] = [-1, -1]
            // pipe2 is _GNU_SOURCE-only; close-on-exec right after is
            // enough, since every child started here closes all but 0-2 anyway.
            guard pipe(&ends) == 0 else {
                ours.forEach { close($0) }
                throw LoopbackError(message: "pipe: \(String(cString: strerror(errno)))")
            }
            for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (ends[0], ends[1])
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputEnd: Int32 = -1
        var pendingInput: [UInt8] = []
        switch command.stdin {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .pipe, .bytes:
            let ends = try pipeEnds()
            ours.append(ends.write)
            theirs.append(ends.read)
            inputEnd = ends.write
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
            if case .bytes(let bytes) = command.stdin { pendingInput = bytes }
        }
        func route(_ output: ChildCommand.Output, to target: Int32) throws -> Int32 {
            switch output {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .descriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .pipe:
                let ends = try pipeEnds()
                ours.append(ends.read)
                theirs.append(ends.write)
                posix_spawn_file_actions_adddup2(&actions, ends.write, target)
                return ends.read
            }
            return -1
        }
        let outputEnd = try route(command.stdout, to: 1)
        let errorsEnd = try route(command.stderr, to: 2)
        if let directory = command.directory {
            guard let addChdir = Self.addChdir else {
                ours.forEach { close($0) }
                throw LoopbackError(message: "spawn \(program): posix_spawn_file_actions_addchdir_np is missing (glibc < 2.29)")
            }
            _ = directory.withCString { addChdir(&actions, $0) }
        }
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
        let envp: [UnsafeMutablePointer<CChar>?]? = command.environmentEntries.map { $0.map { strdup($0) } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        // A bare name is looked up on PATH, as /usr/bin/env would.
        let spawn = program.contains("/") ? posix_spawn : posix_spawnp
        let code = envp.map { spawn(&pid, program, &actions, &attributes, argv, $0) }
            ?? spawn(&pid, program, &actions, &attributes, argv, environ)
        guard code == 0 else {
            ours.forEach { close($0) }
            throw LoopbackError(message: "spawn \(program): \(String(cString: strerror(code)))")
        }
        if command.niceness > 0 {
            // Only ever lowered, which needs no privilege; a child that
            // already ended makes this fail harmlessly.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(pid), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) + command.niceness)
        }
        self.pid = pid
        self.input = inputEnd
        self.output = outputEnd
        self.errors = errorsEnd
        self.pendingInput = pendingInput
    }

    /// Never waits: the last reference usually goes at the end of an async
    /// test, on one of the few cooperative threads every suite of this
    /// process shares, and a Python server takes its poll interval (0.5 s,
    /// more on a busy machine) to exit. Waiting there starved the whole
    /// test run. The child is killed and reaped on a thread of its own.
    deinit {
        for fd in [input, output, errors] where fd >= 0 { close(fd) }
        guard exit == nil else { return }
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

    /// The child's EOF on stdin.
    public func closeInput() {
        if input >= 0 {
            close(input)
            input = -1
        }
    }

    /// Closes the child's stdin and waits for it; the exit code, or -1.
    @discardableResult
    public func closeInputAndWait() -> Int32 {
        closeInput()
        return wait().code
    }

    /// Sends `signal` unless the child was reaped already (its pid may be
    /// another process's by then); false if it was.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        lock.withLock {
            guard exit == nil else { return false }
            return kill(pid, signal) == 0
        }
    }

    /// How the child ended, reaping it if it just did; nil while it runs. Never blocks.
    public var exitStatus: ExitStatus? {
        lock.withLock {
            if let exit { return exit }
            var status: Int32 = 0
            var reaped = waitpid(pid, &status, WNOHANG)
            while reaped == -1 && errno == EINTR { reaped = waitpid(pid, &status, WNOHANG) }
            if reaped == pid {
                exit = ExitStatus(waitStatus: status)
            } else if reaped == -1 {
                // ECHILD: reaped by someone else; nothing more can be known.
                exit = .exited(-1)
            }
            return exit
        }
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Blocks until the child exits. Waits without reaping (`WNOWAIT`), so
    /// the pid stays this child's while `signal` may still use it; the
    /// reaping is `exitStatus`'s, under the lock.
    @discardableResult
    public func wait() -> ExitStatus {
        if let exit = lock.withLock({ exit }) { return exit }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        return exitStatus ?? .exited(-1)
    }

    /// Blocks until the child exits or `timeout` seconds passed (nil then; the child runs on).
    public func wait(timeout: Double) -> ExitStatus? {
        if timeout == .infinity { return wait() }
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, timeout) * 1000))
        while true {
            if let exit = exitStatus { return exit }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// `wait(timeout:)` on a thread of its own, for async tests.
    @discardableResult
    public func waitForExit(timeout: Double = .infinity) async -> ExitStatus? {
        (try? await offPool { self.wait(timeout: timeout) }) ?? nil
    }

    /// Writes the `.bytes` stdin (then closes it; a `.pipe` stdin is just
    /// closed) and hands every chunk of the stdout and stderr pipes to
    /// `sink` as it comes, until both reach EOF or `timeout` seconds
    /// passed. All three at once with poll(): a child that fills one pipe
    /// while this side waits on another never deadlocks. Returns false on
    /// timeout. Blocking.
    @discardableResult
    public func drain(timeout: Double = .infinity, _ sink: (Stream, ArraySlice<UInt8>) -> Void) -> Bool {
        let deadline = timeout == .infinity ? nil : ContinuousClock.now + .milliseconds(Int64(max(0, timeout) * 1000))
        var written = 0
        if input >= 0 && written == pendingInput.count { closeInput() }
        if input >= 0 { _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK) }
        // A child that exits without reading all its input makes write()
        // fail with EPIPE and raise SIGPIPE, whose default kills the test
        // process: blocked on this thread, and a pending one taken back.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        defer {
            var none = timespec()
            while sigtimedwait(&pipeSignal, nil, &none) == SIGPIPE {}
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while input >= 0 || output >= 0 || errors >= 0 {
            var fds: [pollfd] = []
            if input >= 0 { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
            if output >= 0 { fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
            if errors >= 0 { fds.append(pollfd(fd: errors, events: Int16(POLLIN), revents: 0)) }
            var milliseconds: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return false }
                milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            }
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return false
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == input {
                    let count = pendingInput.withUnsafeBytes {
                        write(input, $0.baseAddress! + written, $0.count - written)
                    }
                    if count > 0 { written += count }
                    // EPIPE: the child stopped reading; the rest of the input is dropped.
                    if written == pendingInput.count || (count < 0 && errno != EAGAIN && errno != EINTR) { closeInput() }
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    sink(entry.fd == output ? .stdout : .stderr, buffer[0..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(entry.fd)
                    if entry.fd == output { output = -1 } else { errors = -1 }
                }
            }
        }
        return true
    }

    /// Everything to the end: `drain` into buffers, then the exit status.
    /// On timeout the child is killed and the result has no exit status.
    /// Blocking.
    public func finish(timeout: Double = .infinity) -> ChildResult {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        let started = ContinuousClock.now
        let drained = drain(timeout: timeout) { stream, chunk in
            if stream == .stdout { stdout += chunk } else { stderr += chunk }
        }
        let left = timeout - Double((ContinuousClock.now - started).components.seconds)
        guard drained, let exit = wait(timeout: max(left, 0)) else {
            signal(SIGKILL)
            wait()
            return ChildResult(exit: nil, stdout: stdout, stderr: stderr)
        }
        return ChildResult(exit: exit, stdout: stdout, stderr: stderr)
    }
}
