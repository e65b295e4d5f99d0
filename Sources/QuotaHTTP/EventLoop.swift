#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency
import QuotaLogging

/// The server's single I/O thread: one level-triggered epoll set over the
/// listeners, every client socket and the mailbox's eventfd. Nothing here
/// blocks, so hundreds of idle or slow clients cost memory, not latency.
/// Handlers run in Tasks elsewhere and post their responses back, unless
/// a handler has the answer ready (`HTTPHandler.respondImmediately`).
///
/// Timers are deadlines on connections; the loop sleeps in `epoll_wait`
/// until the earliest one and sweeps all connections when it is due.
final class EventLoop {
    struct Dependencies {
        let epoll: Epoll
        let mailbox: LoopMailbox
        let listeners: [Listener]
        let handler: any HTTPHandler
        let configuration: HTTPServerConfiguration
        let logger: Logger
        let stats: Locked<HTTPServerStats>
        /// The TLS context new connections get; nil: plain HTTP. Swapped
        /// by `HTTPServer.replaceTLSContext`.
        let tls: Locked<TLSServerContext?>
    }

    /// Connections accepted past the cap get a 503 while they linger; past
    /// this many such sockets the loop just closes new ones.
    private static let maxRejectedSockets = 64
    /// Accepts per listener per wake-up, so one flooded listener cannot
    /// starve the clients already connected.
    private static let acceptBatch = 64
    /// After EMFILE and friends, give closing connections time to free fds.
    private static let acceptBackoff: Duration = .milliseconds(100)
    private static let readBufferSize = 64 * 1024
    private static let eventCapacity = 256

    private let deps: Dependencies
    private let clock = ContinuousClock()
    private var listeners: [Int32: Listener]
    private var connections: [Int32: Connection] = [:]
    private var rejectedCount = 0
    private var nextConnectionID: UInt64 = 1
    private var nextSweep: ContinuousClock.Instant?
    private var acceptsPausedUntil: ContinuousClock.Instant?
    private var shutdownDeadline: ContinuousClock.Instant?
    /// Descriptors closed while handling the current batch of events: a
    /// later event in the same batch is stale even if accept reused the fd.
    private var closedThisBatch: Set<Int32> = []
    /// TLS connections holding decrypted input no epoll event will report.
    private var bufferedInput: Set<Int32> = []
    private let readBuffer: UnsafeMutableRawBufferPointer
    private let eventBuffer: UnsafeMutableRawBufferPointer

    init(_ deps: Dependencies) {
        self.deps = deps
        self.listeners = Dictionary(uniqueKeysWithValues: deps.listeners.map { ($0.fd, $0) })
        self.readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        self.eventBuffer = .allocate(byteCount: Self.eventCapacity * Epoll.eventStride, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
        eventBuffer.deallocate()
    }

    /// Runs until shutdown completes (or epoll itself fails), then closes
    /// every descriptor it owns.
    func run() {
        while true {
            let events: [Epoll.Event]
            do {
                events = try deps.epoll.wait(into: eventBuffer, timeoutMilliseconds: waitTimeout())
            } catch {
                deps.logger.error("event loop failed; HTTP server stops", ["error": error.description])
                break
            }
            let now = clock.now
            closedThisBatch.removeAll(keepingCapacity: true)
            for event in events where !closedThisBatch.contains(event.fd) {
                handle(event, now: now)
            }
            readBufferedInput(now: now)
            sweep(now: now)
            if let deadline = shutdownDeadline, connections.isEmpty || now >= deadline {
                break
            }
        }
        tearDown()
    }

    // MARK: Dispatching events

    private func handle(_ event: Epoll.Event, now: ContinuousClock.Instant) {
        if event.fd == deps.mailbox.eventFD {
            for message in deps.mailbox.takeAll() {
                receive(message, now: now)
            }
        } else if listeners[event.fd] != nil {
            acceptConnections(on: event.fd, now: now)
        } else if let connection = connections[event.fd] {
            if event.isBroken {
                close(connection)
                return
            }
            var outcome = Connection.Outcome.keepOpen
            if event.isReadable {
                outcome = connection.readable(into: readBuffer, now: now)
            }
            if case .keepOpen = outcome, event.isWritable, connection.wantsWrite {
                outcome = connection.writable(into: readBuffer, now: now)
            }
            apply(outcome, to: connection)
        }
    }

    /// Reads for connections whose input OpenSSL already decrypted: one
    /// read each per round, like a socket event, so none starves others.
    private func readBufferedInput(now: ContinuousClock.Instant) {
        guard !bufferedInput.isEmpty else { return }
        let ready = bufferedInput
        bufferedInput.removeAll(keepingCapacity: true)
        for fd in ready where !closedThisBatch.contains(fd) {
            guard let connection = connections[fd] else { continue }
            apply(connection.readable(into: readBuffer, now: now), to: connection)
        }
    }

    private func receive(_ message: LoopMessage, now: ContinuousClock.Instant) {
        switch message {
        case .response(let fd, let id, let response):
            // The client may have gone (and its fd been reused) meanwhile.
            guard let connection = connections[fd], connection.id == id else { return }
            apply(connection.deliver(response, now: now), to: connection)
        case .shutdown(let gracePeriod):
            guard shutdownDeadline == nil else { return }
            shutdownDeadline = now + gracePeriod
            closeListeners()
            deps.logger.info("HTTP server shutting down", ["in_flight": "\(connections.count)"])
            for connection in Array(connections.values) {
                apply(connection.beginShutdown(now: now), to: connection)
            }
        }
    }

    /// Carries out what a connection asked for and re-syncs its epoll
    /// interest and deadline with its new state.
    private func apply(_ outcome: Connection.Outcome, to connection: Connection) {
        var outcome = outcome
        // A loop, not recursion: an answer given at once may let the next
        // pipelined request be parsed and answered at once too.
        dispatching: while true {
            switch outcome {
            case .close:
                close(connection)
                return
            case .dispatch(let request):
                // A ready answer (a cached scrape) is given here, however many
                // connections are ready in this wake-up: the round trip to the
                // pool and back (a task, a futex wake, an eventfd write and
                // read) cost more CPU than the answer itself: 60 µs per
                // request at 16 connections against 47-51 µs here, and on a
                // machine whose cores the scrapers share, CPU per request is
                // what decides throughput.
                if let response = deps.handler.respondImmediately(to: request) {
                    deps.stats.withLock {
                        $0.requestsTotal += 1
                        $0.immediateResponsesTotal += 1
                    }
                    outcome = connection.deliver(response, now: clock.now)
                    continue dispatching
                }
                startHandler(for: request, on: connection)
            case .keepOpen:
                break
            }
            break
        }
        let interest = connection.interest
        if interest != connection.registeredInterest {
            do {
                try deps.epoll.modify(connection.fd, interest: interest)
                connection.registeredInterest = interest
            } catch {
                deps.logger.error("cannot update connection interest", ["error": error.description])
                close(connection)
                return
            }
        }
        if let deadline = connection.deadline, nextSweep.map({ deadline < $0 }) ?? true {
            nextSweep = deadline
        }
        if connection.hasBufferedInput {
            bufferedInput.insert(connection.fd)
        }
    }

    private func startHandler(for request: HTTPRequest, on connection: Connection) {
        deps.stats.withLock { $0.requestsTotal += 1 }
        let handler = deps.handler
        let mailbox = deps.mailbox
        let fd = connection.fd
        let id = connection.id
        connection.handlerTask = Task {
            let response = await handler.handle(request)
            mailbox.post(.response(fd: fd, connectionID: id, response))
        }
    }

    // MARK: Accepting

    private func acceptConnections(on listenerFD: Int32, now: ContinuousClock.Instant) {
        for _ in 0..<Self.acceptBatch {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd: Int32
            do {
                fd = try Syscall.call("accept4") {
                    withUnsafeMutablePointer(to: &storage) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            LinuxAPI.accept4(listenerFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                        }
                    }
                }
            } catch {
                switch error.errno {
                case EAGAIN, EWOULDBLOCK:
                    return
                case ECONNABORTED, EPROTO, EPERM:
                    continue  // that client gave up already; try the next
                default:
                    deps.logger.warn("accept failed; pausing accepts briefly", ["error": error.description])
                    pauseAccepting(until: now + Self.acceptBackoff)
                    return
                }
            }
            register(fd, remote: SocketAddress.describe(storage).text, now: now)
        }
    }

    private func register(_ fd: Int32, remote: String, now: ContinuousClock.Instant) {
        var overCap = connections.count - rejectedCount >= deps.configuration.maxConnections
        if overCap, evictLeastProgressed() {
            overCap = false
        }
        deps.stats.withLock { stats in
            stats.acceptedTotal += 1
            if overCap { stats.rejectedByCapTotal += 1 }
        }
        if overCap {
            deps.logger.debug("connection limit reached; refusing client", ["remote": remote])
            if rejectedCount >= Self.maxRejectedSockets {
                _ = Glibc.close(fd)
                return
            }
        }

        var session: TLSSession?
        if let context = deps.tls.withLock({ $0 }) {
            do {
                session = try TLSSession(server: context, fd: fd)
            } catch {
                deps.logger.error("cannot start TLS for a new connection", ["error": error.message])
                _ = Glibc.close(fd)
                return
            }
        }
        let connection = Connection(
            id: nextConnectionID,
            fd: fd,
            remoteAddress: remote,
            isRejected: overCap,
            configuration: deps.configuration,
            logger: deps.logger,
            tls: session,
            now: now
        )
        nextConnectionID += 1
        do {
            try deps.epoll.add(fd, interest: connection.interest)
        } catch {
            deps.logger.error("cannot watch new connection", ["error": error.description])
            _ = Glibc.close(fd)
            return
        }
        connection.registeredInterest = connection.interest
        connections[fd] = connection
        if overCap { rejectedCount += 1 }
        deps.stats.withLock { $0.openConnections = connections.count }
        apply(connection.start(now: now), to: connection)
    }

    /// At the cap, closes the connection that has made least progress (see
    /// `Connection.EvictionRank`) so the new client gets its place: slow or
    /// idle clients filling every slot must not lock out Prometheus, whose
    /// scrape sends its whole request at once. An attacker renewing its
    /// connections only evicts its own older ones. False when every
    /// connection is busy with a request; the new client then gets 503.
    private func evictLeastProgressed() -> Bool {
        var victim: (Connection, Connection.EvictionRank)?
        for connection in connections.values {
            guard let rank = connection.evictionRank else { continue }
            if victim.map({ rank < $0.1 }) ?? true {
                victim = (connection, rank)
            }
        }
        guard let (connection, rank) = victim else { return false }
        deps.logger.debug("connection limit reached; closing the least advanced connection", [
            "remote": connection.remoteAddress, "stage": "\(rank.stage)",
        ])
        close(connection)
        deps.stats.withLock { $0.evictedByCapTotal += 1 }
        return true
    }

    private func pauseAccepting(until instant: ContinuousClock.Instant) {
        acceptsPausedUntil = instant
        for fd in listeners.keys {
            try? deps.epoll.modify(fd, interest: 0)
        }
    }

    private func resumeAccepting() {
        acceptsPausedUntil = nil
        for fd in listeners.keys {
            try? deps.epoll.modify(fd, interest: LinuxAPI.epollIn)
        }
    }

    // MARK: Timers

    private func sweep(now: ContinuousClock.Instant) {
        if let until = acceptsPausedUntil, now >= until {
            resumeAccepting()
        }
        guard let due = nextSweep, now >= due else { return }
        nextSweep = nil
        for connection in Array(connections.values) {
            guard let deadline = connection.deadline else { continue }
            if deadline <= now {
                apply(connection.timedOut(now: now), to: connection)
            } else if nextSweep.map({ deadline < $0 }) ?? true {
                nextSweep = deadline
            }
        }
    }

    /// Milliseconds until the earliest thing the loop must do on its own.
    private func waitTimeout() -> Int32 {
        if !bufferedInput.isEmpty { return 0 }
        let wakeUps = [nextSweep, acceptsPausedUntil, shutdownDeadline].compactMap { $0 }
        guard let earliest = wakeUps.min() else { return -1 }
        let remaining = earliest - clock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    // MARK: Closing

    private func close(_ connection: Connection) {
        try? deps.epoll.remove(connection.fd)
        _ = Glibc.close(connection.fd)
        closedThisBatch.insert(connection.fd)
        bufferedInput.remove(connection.fd)
        connection.handlerTask?.cancel()
        connections.removeValue(forKey: connection.fd)
        if connection.isRejected { rejectedCount -= 1 }
        let failedHandshake = connection.handshakeFailed
        deps.stats.withLock { stats in
            stats.openConnections = connections.count
            if failedHandshake { stats.tlsHandshakeFailuresTotal += 1 }
        }
    }

    private func closeListeners() {
        for listener in listeners.values {
            try? deps.epoll.remove(listener.fd)
            listener.close()
        }
        listeners = [:]
    }

    private func tearDown() {
        closeListeners()
        for connection in Array(connections.values) {
            close(connection)
        }
        deps.mailbox.close()
        deps.epoll.close()
    }
}
