#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import QuotaConcurrency
import Synchronization

/// Turns SIGTERM/SIGINT into a return from `run` and SIGHUP into a reload.
///
/// Created as soon as the command line says the process will serve, before
/// the configuration is read and the listener opens, so a signal from an
/// orchestrator or a config reloader during start-up is neither fatal nor
/// lost. What arrives before `run` takes effect when it begins.
///
/// The handler is installed with `sigaction` and only writes the signal's
/// number into a pipe (the self-pipe trick); a dispatch read source turns
/// the bytes into state changes. Dispatch's own signal sources were used
/// before: they install their handler a moment after `resume()`, and a
/// signal sent in between met `SIG_IGN` and was gone. With the pipe there is
/// no such window: from the moment `init` returns every signal ends up in the
/// pipe, and bytes wait there until they are read.
final class SignalWatcher: @unchecked Sendable {
    private struct State: Sendable {
        var stopRequested = false
        var reloadPending = false
        var onReload: (@Sendable () async -> Void)?
        var waiter: CheckedContinuation<Void, Never>?
    }

    static let watched: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    private let state = Locked(State())
    private let readSource: any DispatchSourceRead
    private let queue = DispatchQueue(label: "quota_exporter.signals")

    init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            // Without a pipe there is nothing safe to signal into: keep the
            // default actions (a SIGTERM still ends the process).
            fatalError("cannot create the signal pipe: errno \(errno)")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        signalPipeWriteEnd.store(fds[1], ordering: .sequentiallyConsistent)

        let readEnd = fds[0]
        readSource = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: queue)
        readSource.setEventHandler { [state] in
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                for signalNumber in buffer[..<count] {
                    if Int32(signalNumber) == SIGHUP {
                        Self.reloadRequested(state)
                    } else {
                        Self.stopRequested(state)
                    }
                }
            }
        }
        readSource.resume()

        for signalNumber in Self.watched {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = signalToPipe
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signalNumber, &action, nil)
        }
    }

    /// Returns once SIGTERM or SIGINT arrived (at once if one already did),
    /// calling `onReload` for every SIGHUP meanwhile, including one that
    /// arrived before.
    func run(onReload: @escaping @Sendable () async -> Void) async {
        let pending = state.withLock { state in
            state.onReload = onReload
            defer { state.reloadPending = false }
            return state.reloadPending
        }
        if pending { Task { await onReload() } }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = state.withLock { state in
                if !state.stopRequested { state.waiter = continuation }
                return state.stopRequested
            }
            if stopped { continuation.resume() }
        }
    }

    private static func stopRequested(_ state: Locked<State>) {
        let waiter = state.withLock { state in
            state.stopRequested = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private static func reloadRequested(_ state: Locked<State>) {
        let onReload = state.withLock { state in
            if state.onReload == nil { state.reloadPending = true }
            return state.onReload
        }
        if let onReload { Task { await onReload() } }
    }
}

/// The pipe's write end, read by the handler. Set before any handler is
/// installed, so the handler never runs a global's lazy initialiser.
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// Async-signal-safe: one `write(2)` of one byte, `errno` restored. A full
/// pipe (64 KiB of unread signals) drops the byte; the earlier ones already
/// say the same thing.
private func signalToPipe(_ signalNumber: Int32) {
    let saved = errno
    let fd = signalPipeWriteEnd.load(ordering: .sequentiallyConsistent)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: signalNumber)
        _ = write(fd, &byte, 1)
    }
    errno = saved
}
