import Foundation
import Glibc
import LoopbackSupport
import Testing

/// The child-process API every test uses instead of Foundation's `Process`,
/// against real children (/bin/sh and coreutils).
@Suite struct SpawnedTests {
    @Test func stdinBytesGoInAndStdoutAndStderrComeBackApart() async throws {
        let result = try await ChildCommand(["/bin/sh", "-c", "read line; echo \"out $line\"; echo \"err $line\" >&2; exit 3"],
                                            stdin: .bytes(Array("hello\n".utf8))).run()
        #expect(result.exit == .exited(3))
        #expect(result.status == 3)
        #expect(result.stdoutText == "out hello\n")
        #expect(result.stderrText == "err hello\n")
    }

    /// A child that writes megabytes to both pipes before it reads its
    /// (megabytes of) input deadlocks a reader that takes one stream after
    /// the other; poll() over all three does not.
    @Test func bothPipesAndStdinAtOnceNeverDeadlock() async throws {
        let input = [UInt8](repeating: UInt8(ascii: "i"), count: 1 << 20)
        let script = "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero; exec wc -c"
        let result = try await ChildCommand(["/bin/sh", "-c", script], stdin: .bytes(input)).run(timeout: 120)
        #expect(result.exit == .exited(0))
        #expect(result.stdout.count == 2 << 20 + "1048576\n".utf8.count)
        #expect(result.stdoutText.hasSuffix("\u{0}1048576\n"))
        #expect(result.stderr.count == 1 << 20)
    }

    /// The write end of a stdin the child never reads: EPIPE, not a SIGPIPE that kills the test process.
    @Test func aChildThatIgnoresItsInputDoesNotKillTheTests() async throws {
        let input = [UInt8](repeating: 0, count: 4 << 20)
        let result = try await ChildCommand(["/bin/sh", "-c", "exit 7"], stdin: .bytes(input)).run()
        #expect(result.exit == .exited(7))
    }

    @Test func aBareNameIsLookedUpOnPath() async throws {
        let result = try await ChildCommand(["sh", "-c", "echo found"]).run()
        #expect(result.stdoutText == "found\n")
        #expect(throws: LoopbackError.self) { try ChildCommand(["quota-no-such-tool-\(getpid())"]).spawn() }
    }

    @Test func environmentIsAddedToOrReplaced() async throws {
        setenv("QUOTA_SPAWN_INHERITED", "kept", 1)
        let script = "echo \"${QUOTA_SPAWN_INHERITED:-none} ${QUOTA_SPAWN_ADDED:-none}\""
        let added = try await ChildCommand(["/bin/sh", "-c", script], environment: .adding(["QUOTA_SPAWN_ADDED": "new"])).run()
        #expect(added.stdoutText == "kept new\n")
        let replaced = try await ChildCommand(["/bin/sh", "-c", script], environment: .replaced(["QUOTA_SPAWN_ADDED": "only"])).run()
        #expect(replaced.stdoutText == "none only\n")
        let inherited = try await ChildCommand(["/bin/sh", "-c", script]).run()
        #expect(inherited.stdoutText == "kept none\n")
    }

    @Test func runsInTheGivenDirectory() async throws {
        let result = try await ChildCommand(["/bin/pwd"], directory: "/usr").run()
        #expect(result.stdoutText == "/usr\n")
    }

    /// Only 0-2 reach the child: a test's sockets and pipes never leak into
    /// a server that outlives the test, and a pipe's EOF is not held up.
    @Test func theChildGetsOnlyItsThreeStreams() async throws {
        var pair: [Int32] = [0, 0]
        #expect(pipe(&pair) == 0)
        defer { pair.forEach { close($0) } }
        // ls opens the directory itself: 3 is its own.
        let result = try await ChildCommand(["/bin/ls", "/proc/self/fd"]).run()
        #expect(result.stdoutText.split(separator: "\n").sorted() == ["0", "1", "2", "3"])
    }

    /// A test process ignores SIGPIPE (the in-process HTTP server does);
    /// a child inheriting that, or a blocked signal, behaves unlike the real thing.
    @Test func signalDispositionsAndTheMaskAreReset() async throws {
        signal(SIGPIPE, SIG_IGN)
        let result = try await ChildCommand(["/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"]).run()
        let masks = result.stdoutText.split(separator: "\n").compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2, "\(result.stdoutText)")
        // Signals 1-31; 32 and 33 are glibc's own (thread cancellation, setxid), not posix_spawn's to reset.
        #expect(masks.allSatisfy { $0 & 0x7fff_ffff == 0 }, "\(result.stdoutText)")
    }

    @Test func nicenessIsAddedToThisProcesss() async throws {
        errno = 0
        let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        // It reads its niceness only once its stdin says go: after spawn() returned, so after setpriority.
        let result = try await ChildCommand(["/bin/sh", "-c", "read go; exec /usr/bin/nice"], stdin: .bytes(Array("go\n".utf8)), niceness: 7).run()
        #expect(result.stdoutText == "\(min(own + 7, 19))\n")
    }

    @Test func aSignalEndsAChildAndItsExitIsAwaitedOffThePool() async throws {
        let child = try ChildCommand(["/bin/sleep", "60"]).spawn()
        #expect(child.isRunning)
        #expect(await child.waitForExit(timeout: 0.1) == nil)
        #expect(child.signal(SIGTERM))
        #expect(await child.waitForExit(timeout: 60) == .signaled(SIGTERM))
        #expect(!child.signal(SIGKILL), "no signal after the child was reaped: its pid may be another process's")
        #expect(child.exitStatus == .signaled(SIGTERM))
    }

    @Test func aChildPastItsTimeoutIsKilled() async throws {
        let result = try await ChildCommand(["/bin/sh", "-c", "echo started; exec sleep 60"]).run(timeout: 1)
        #expect(result.exit == nil)
        #expect(result.status == -1)
        #expect(result.stdoutText == "started\n")
    }

    @Test func stderrToAFileForALogReadWhileTheChildRuns() async throws {
        let log = NSTemporaryDirectory() + "quota-spawn-log-\(getpid())-\(UUID().uuidString)"
        defer { unlink(log) }
        let result = try await ChildCommand(["/bin/sh", "-c", "echo to-log >&2; echo to-out"], stdout: .null, stderr: .file(log)).run()
        #expect(result.exit == .exited(0))
        #expect(result.stdout.isEmpty)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "to-log\n")
    }

    @Test func streamedOutputArrivesWhileTheChildRuns() async throws {
        let child = try ChildCommand(["/bin/sh", "-c", "echo first; read wait; echo second"], stdin: .pipe).spawn()
        let firstLine = try await offPool { child.readLine() }
        #expect(firstLine == "first")
        let rest = try await offPool { child.finish(timeout: 60) }
        #expect(rest.stdoutText == "second\n")
        #expect(rest.exit == .exited(0))
    }

    @Test func theOldServerInitKeepsItsPipes() async throws {
        let status = try await offPool { () -> Int32 in
            let child = try Spawned(["/bin/sh", "-c", "cat >/dev/null; exit 4"])
            return child.closeInputAndWait()
        }
        #expect(status == 4)
    }
}
