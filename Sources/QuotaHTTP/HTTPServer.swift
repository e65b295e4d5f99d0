#if canImport(Glibc)
import Glibc
#endif
import CQuotaSystem
import QuotaConcurrency
import QuotaLogging

/// An HTTP/1.1 server on raw non-blocking sockets: `eventLoops` threads
/// do all I/O, each for the connections it was given; each complete
/// request is handed to `handler` in a Task, or answered on the loop when
/// the handler has the answer ready.
///
/// Lifecycle: `init` → `start()` (binds, may throw) → `shutdown(gracePeriod:)`.
/// Thread-safe: state shared with the loop thread sits behind locks.
public final class HTTPServer: Sendable {
    private enum Lifecycle: Sendable {
        case notStarted
        case running([LoopMailbox], bound: [ListenAddress])
        case stopped(bound: [ListenAddress])
    }

    private struct StopWaiters: Sendable {
        var loopsRunning = 0
        var loopFinished = false
        var continuations: [CheckedContinuation<Void, Never>] = []
    }

    public let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let lifecycle = Locked(Lifecycle.notStarted)
    private let stopWaiters = Locked(StopWaiters())
    private let loopTIDs = Locked<[Int32]>([])
    private let tlsBox: Locked<TLSServerContext?>

    /// The kernel's ids of the loop threads running so far, so a test can
    /// aim a signal at exactly this server's threads: finding them by name
    /// in /proc raced with the loops of other servers starting and stopping.
    var loopThreadIDs: [Int32] { loopTIDs.withLock { $0 } }
    private let statsBox = Locked(HTTPServerStats())

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.tlsBox = Locked(configuration.tls)
    }

    /// The addresses actually bound, with real ports when port 0 was asked
    /// for; empty before `start()`.
    public var boundAddresses: [ListenAddress] {
        lifecycle.withLock { state in
            switch state {
            case .notStarted: []
            case .running(_, let bound), .stopped(let bound): bound
            }
        }
    }

    /// Makes connections accepted from now on use `context` (nil: plain
    /// HTTP); connections already open keep the context they started with
    /// (each session holds a reference to its `SSL_CTX`). The exporter's
    /// web-config watcher calls it once a re-read has built a new context,
    /// so rotated certificates apply without a restart and a broken file
    /// never gets here. Safe from any thread, before or after `start()`.
    public func replaceTLSContext(_ context: TLSServerContext?) {
        tlsBox.withLock { $0 = context }
    }

    /// The context new connections get now; nil: plain HTTP.
    public var tlsContext: TLSServerContext? {
        tlsBox.withLock { $0 }
    }

    public var stats: HTTPServerStats {
        statsBox.withLock { $0 }
    }

    /// Binds every configured address and starts the event-loop threads.
    /// Throws `SocketError` naming the address (e.g. already in use); on
    /// error nothing stays bound and no loop runs.
    public func start() throws {
        try lifecycle.withLock { state in
            guard case .notStarted = state else { throw HTTPServerError.alreadyStarted }
            guard !configuration.listenAddresses.isEmpty else { throw HTTPServerError.noListenAddresses }
            guard configuration.eventLoops >= 1 else { throw HTTPServerError(message: "eventLoops must be at least 1") }
            ProcessSignals.ignoreSIGPIPE()

            var listeners: [Listener] = []
            var polls: [Epoll] = []
            var mailboxes: [LoopMailbox] = []
            do {
                for address in configuration.listenAddresses {
                    listeners.append(try Listener.open(address))
                }
                for _ in 0..<configuration.eventLoops {
                    let poller = try Epoll()
                    polls.append(poller)
                    let mailbox = try LoopMailbox()
                    mailboxes.append(mailbox)
                    try poller.add(mailbox.eventFD, interest: LinuxAPI.epollIn)
                }
                for listener in listeners {
                    try polls[0].add(listener.fd, interest: LinuxAPI.epollIn)
                }
                let balance = LoopBalance(loops: configuration.eventLoops, maxConnections: configuration.maxConnections)
                let loops = polls.indices.map { index in
                    EventLoop.Dependencies(
                        index: index,
                        epoll: polls[index],
                        mailbox: mailboxes[index],
                        peers: mailboxes,
                        balance: balance,
                        listeners: index == 0 ? listeners : [],
                        handler: handler,
                        configuration: configuration,
                        logger: logger,
                        stats: statsBox,
                        tls: tlsBox
                    )
                }
                stopWaiters.withLock { $0.loopsRunning = loops.count }
                // The first loop, which holds the listeners, starts last:
                // should a thread fail to start, the listeners are still
                // ours to close here, so nothing stays bound when this throws.
                var unstarted = loops.count
                do {
                    for deps in loops.reversed() {
                        try startLoopThread(deps)
                        unstarted -= 1
                    }
                } catch {
                    // A loop that runs closes its own descriptors as it stops.
                    for mailbox in mailboxes[unstarted...] {
                        mailbox.post(.shutdown(gracePeriod: .zero))
                    }
                    stopWaiters.withLock { $0.loopsRunning -= unstarted }
                    for index in 0..<unstarted {
                        mailboxes[index].close()
                        polls[index].close()
                    }
                    mailboxes = []
                    polls = []
                    throw error
                }
                let bound = listeners.map(\.address)
                state = .running(mailboxes, bound: bound)
                let scheme = tlsBox.withLock { $0 } == nil ? "http" : "https"
                for address in bound {
                    logger.info("HTTP server listening", [
                        "address": address.description, "scheme": scheme, "event_loops": "\(configuration.eventLoops)",
                    ])
                }
            } catch {
                listeners.forEach { $0.close() }
                mailboxes.forEach { $0.close() }
                polls.forEach { $0.close() }
                throw error
            }
        }
    }

    /// Stops accepting at once, lets requests already being handled finish
    /// and be written (up to `gracePeriod`), closes everything else, and
    /// returns when the loop thread is done. Safe to call more than once.
    public func shutdown(gracePeriod: Duration) async {
        let mailboxes: [LoopMailbox] = lifecycle.withLock { state in
            switch state {
            case .notStarted:
                state = .stopped(bound: [])
                return []
            case .running(let mailboxes, _):
                return mailboxes
            case .stopped:
                return []
            }
        }
        guard !mailboxes.isEmpty else { return }
        logger.info("HTTP server shutting down", ["in_flight": "\(stats.openConnections)"])
        for mailbox in mailboxes {
            mailbox.post(.shutdown(gracePeriod: gracePeriod))
        }
        await withCheckedContinuation { continuation in
            let finished = stopWaiters.withLock { waiters in
                if waiters.loopFinished { return true }
                waiters.continuations.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
    }

    /// `shutdown(gracePeriod:)` with the grace period in seconds, clamped
    /// to 0 ... 1 day (NaN counts as 0) so no value can trap the conversion.
    public func shutdown(gracePeriod seconds: Double) async {
        let clamped = seconds.isNaN ? 0 : min(max(seconds, 0), 86_400)
        await shutdown(gracePeriod: .milliseconds(Int64(clamped * 1000)))
    }

    /// A pthread of its own rather than a Dispatch queue: the loop blocks in
    /// `epoll_wait` for its whole life, which would pin one of Dispatch's
    /// worker threads.
    private func startLoopThread(_ deps: EventLoop.Dependencies) throws {
        final class Start {
            let server: HTTPServer
            let deps: EventLoop.Dependencies
            init(server: HTTPServer, deps: EventLoop.Dependencies) {
                self.server = server
                self.deps = deps
            }
        }
        let retained = Unmanaged.passRetained(Start(server: self, deps: deps)).toOpaque()
        var thread = pthread_t()
        let code = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            cqs_name_current_thread(HTTPServer.threadName)
            if let id = HTTPServer.currentThreadID() {
                start.server.loopTIDs.withLock { $0.append(id) }
            }
            EventLoop(start.deps).run()
            start.server.loopFinished()
            return nil
        }, retained)
        guard code == 0 else {
            Unmanaged<Start>.fromOpaque(retained).release()
            throw HTTPServerError(message: "cannot start the HTTP loop thread: pthread_create: \(String(cString: strerror(code)))")
        }
        pthread_detach(thread)
    }

    /// The last loop to stop stops the server.
    private func loopFinished() {
        let last = stopWaiters.withLock { waiters in
            waiters.loopsRunning -= 1
            return waiters.loopsRunning == 0
        }
        guard last else { return }
        lifecycle.withLock { state in
            if case .running(_, let bound) = state {
                state = .stopped(bound: bound)
            }
        }
        let continuations = stopWaiters.withLock { waiters in
            waiters.loopFinished = true
            defer { waiters.continuations.removeAll() }
            return waiters.continuations
        }
        continuations.forEach { $0.resume() }
        logger.info("HTTP server stopped")
    }

    /// Shown in `top -H`, `/proc/PID/task/*/comm` and debuggers.
    static let threadName = "quota-http-loop"

    /// `gettid()`, which Swift's Glibc module does not export: the target
    /// of the /proc/thread-self link is `<pid>/task/<tid>`.
    private static func currentThreadID() -> Int32? {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.flatMap { Int32($0) }
    }
}
