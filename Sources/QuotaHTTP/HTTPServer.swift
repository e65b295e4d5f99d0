#if canImport(Glibc)
import Glibc
#endif
import CQuotaSystem
import QuotaConcurrency
import QuotaLogging

/// An HTTP/1.1 server on raw non-blocking sockets: one event-loop thread
/// does all I/O; each complete request is handed to `handler` in a Task.
///
/// Lifecycle: `init` → `start()` (binds, may throw) → `shutdown(gracePeriod:)`.
/// Thread-safe: state shared with the loop thread sits behind locks.
public final class HTTPServer: Sendable {
    private enum Lifecycle: Sendable {
        case notStarted
        case running(LoopMailbox, bound: [ListenAddress])
        case stopped(bound: [ListenAddress])
    }

    private struct StopWaiters: Sendable {
        var loopFinished = false
        var continuations: [CheckedContinuation<Void, Never>] = []
    }

    public let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let lifecycle = Locked(Lifecycle.notStarted)
    private let stopWaiters = Locked(StopWaiters())
    private let loopTID = Locked<Int32?>(nil)
    private let tlsBox: Locked<TLSServerContext?>

    /// The kernel's id of the loop thread once it runs, so a test can aim a
    /// signal at exactly this server's thread: finding it by its name in
    /// /proc raced with the loops of other servers starting and stopping.
    var loopThreadID: Int32? { loopTID.withLock { $0 } }
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

    /// Binds every configured address and starts the event-loop thread.
    /// Throws `SocketError` naming the address (e.g. already in use); on
    /// error nothing stays bound.
    public func start() throws {
        try lifecycle.withLock { state in
            guard case .notStarted = state else { throw HTTPServerError.alreadyStarted }
            guard !configuration.listenAddresses.isEmpty else { throw HTTPServerError.noListenAddresses }
            ProcessSignals.ignoreSIGPIPE()

            var listeners: [Listener] = []
            var epoll: Epoll?
            do {
                for address in configuration.listenAddresses {
                    listeners.append(try Listener.open(address))
                }
                let poller = try Epoll()
                epoll = poller
                let mailbox = try LoopMailbox()
                do {
                    try poller.add(mailbox.eventFD, interest: LinuxAPI.epollIn)
                    for listener in listeners {
                        try poller.add(listener.fd, interest: LinuxAPI.epollIn)
                    }
                } catch {
                    mailbox.close()
                    throw error
                }
                let bound = listeners.map(\.address)
                do {
                    try startLoopThread(EventLoop.Dependencies(
                        epoll: poller,
                        mailbox: mailbox,
                        listeners: listeners,
                        handler: handler,
                        configuration: configuration,
                        logger: logger,
                        stats: statsBox,
                        tls: tlsBox
                    ))
                } catch {
                    mailbox.close()
                    throw error
                }
                state = .running(mailbox, bound: bound)
                let scheme = tlsBox.withLock { $0 } == nil ? "http" : "https"
                for address in bound {
                    logger.info("HTTP server listening", ["address": address.description, "scheme": scheme])
                }
            } catch {
                listeners.forEach { $0.close() }
                epoll?.close()
                throw error
            }
        }
    }

    /// Stops accepting at once, lets requests already being handled finish
    /// and be written (up to `gracePeriod`), closes everything else, and
    /// returns when the loop thread is done. Safe to call more than once.
    public func shutdown(gracePeriod: Duration) async {
        let mailbox: LoopMailbox? = lifecycle.withLock { state in
            switch state {
            case .notStarted:
                state = .stopped(bound: [])
                return nil
            case .running(let mailbox, _):
                return mailbox
            case .stopped:
                return nil
            }
        }
        guard let mailbox else { return }
        mailbox.post(.shutdown(gracePeriod: gracePeriod))
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
            start.server.loopTID.withLock { $0 = HTTPServer.currentThreadID() }
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

    private func loopFinished() {
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
