#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency
import QuotaLogging

/// One of the server's I/O threads: one level-triggered epoll set over its
/// client sockets and its mailbox's eventfd, and on the first loop the
/// listeners. Nothing here blocks, so hundreds of idle or slow clients
/// cost memory, not latency. Handlers run in Tasks elsewhere and post
/// their responses back, unless a handler has the answer ready
/// (`HTTPHandler.respondImmediately`).
///
/// With several loops the first one accepts and hands each client to the
/// loop holding fewest (`LoopBalance`), which then owns it for its whole
/// life: no connection is ever touched by two threads, and a cached scrape
/// on one loop never waits for a write on another.
///
/// Timers are deadlines on connections; the loop sleeps in `epoll_wait`
/// until the earliest one and sweeps all connections when it is due.
final class EventLoop {
    struct Dependencies {
        /// This loop's place in `peers` and in `balance`.
        let index: Int
        let epoll: Epoll
        let mailbox: LoopMailbox
        /// Every loop's mailbox, this one's included, by index.
        let peers: [LoopMailbox]
        let balance: LoopBalance
        /// The first loop's only.
        let listeners: [Listener]
        let handler: any HTTPHandler
        let configuration: HTTPServerConfiguration
        let logger: Logger
        let stats: Locked<HTTPServerStats>
        /// The TLS context new connections get; nil: plain HTTP. Swapped
        /// by `HTTPServer.replaceTLSContext`.
        let tls: Locked<TLSServerContext?>
    }

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
    private var nextConnectionID: UInt64 = 1
    private var nextSweep: ContinuousClock.Instant?
    private var acceptsPausedUntil: ContinuousClock.Instant?
    private var shutdownDeadline: ContinuousClock.Instant?
    /// Descriptors closed while handling the current batch of events: a
    /// later event in the same batch is stale even if accept reused the fd.
    private var closedThisBatch: Set<Int32> = []
    /// TLS connections holding decrypted input no epoll event will report.
    private var bufferedInput: Set<Int32> = []
    /// Whether the last `epoll_wait` reported one event: the loop has no
    /// other connection to serve, so an answer may give its client a head
    /// start (`Connection.headStart`). A cached 1 000-series scrape on one
    /// connection went from 1.00x nginx to 1.06-1.07x in paired runs; at 16
    /// connections, splitting every answer cost up to 9 % of throughput,
    /// splitting only these cost nothing measurable.
    private var wokeForOne = false
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
            wokeForOne = events.count == 1
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
            connection.headStart = wokeForOne
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
            connection.headStart = wokeForOne
            apply(connection.deliver(response, now: now), to: connection)
        case .adopt(let fd, let remote, let placement):
            guard shutdownDeadline == nil else {
                discard(fd, countedOn: deps.index, releasing: .nothing)
                return
            }
            place(fd, remote: remote, placement, now: now)
        case .shutdown(let gracePeriod):
            guard shutdownDeadline == nil else { return }
            shutdownDeadline = now + gracePeriod
            closeListeners()
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
            deps.stats.withLock { $0.acceptedTotal += 1 }
            Listener.sendPromptly(on: fd)
            let remote = SocketAddress.describe(storage).text
            let loop = deps.balance.assign()
            if loop == deps.index {
                place(fd, remote: remote, .fresh, now: now)
            } else {
                post(fd, remote: remote, .fresh, to: loop)
            }
        }
    }

    /// Passes a client this loop holds on to `loop`.
    private func hand(_ fd: Int32, remote: String, _ placement: ConnectionPlacement, to loop: Int) {
        deps.balance.move(from: deps.index, to: loop)
        post(fd, remote: remote, placement, to: loop)
    }

    /// Gives a client already counted on `loop` to that loop; closes it if
    /// that loop has stopped.
    private func post(_ fd: Int32, remote: String, _ placement: ConnectionPlacement, to loop: Int) {
        if !deps.peers[loop].post(.adopt(fd: fd, remote: remote, placement)) {
            discard(fd, countedOn: loop, releasing: .nothing)
        }
    }

    /// Serves a new client here when the server is below its connection
    /// cap; at the cap, goes on finding it room (`ConnectionPlacement`).
    private func place(_ fd: Int32, remote: String, _ placement: ConnectionPlacement, now: ContinuousClock.Instant) {
        switch placement {
        case .seekingRoom(let visited, let best):
            if deps.balance.admit() {
                serve(fd, remote: remote, admitted: true, now: now)  // below the cap, or room appeared meanwhile
            } else {
                seekRoom(fd, remote: remote, visited: visited, best: best, now: now)
            }
        case .evict(let connectionID):
            // The offered connection may have moved on (a request arrived)
            // or gone while the client travelled; then this loop's least
            // advanced one, if any, makes room instead.
            let offered = connections.values.first { $0.id == connectionID }.flatMap { connection in
                connection.evictionRank.map { (connection: connection, rank: $0) }
            }
            if let victim = offered ?? leastProgressed() {
                evict(victim.connection, rank: victim.rank)
                serve(fd, remote: remote, admitted: true, now: now)
            } else {
                serve(fd, remote: remote, admitted: deps.balance.admit(), now: now)
            }
        }
    }

    /// At the cap: adds this loop's least advanced connection to the
    /// offers, passes the client on to the next loop, and once every loop
    /// has offered, sends it to the loop of the least advanced of all. When
    /// every connection is busy with a request, the last loop says 503.
    private func seekRoom(
        _ fd: Int32, remote: String, visited: Int, best: ConnectionPlacement.Candidate?, now: ContinuousClock.Instant
    ) {
        var best = best
        if let mine = leastProgressed(), best.map({ mine.rank < $0.rank }) ?? true {
            best = ConnectionPlacement.Candidate(loop: deps.index, connectionID: mine.connection.id, rank: mine.rank)
        }
        let visited = visited + 1
        if visited < deps.balance.loopCount {
            hand(fd, remote: remote, .seekingRoom(visited: visited, best: best), to: (deps.index + 1) % deps.balance.loopCount)
        } else if let best, best.loop != deps.index {
            hand(fd, remote: remote, .evict(connectionID: best.connectionID), to: best.loop)
        } else if let best {
            place(fd, remote: remote, .evict(connectionID: best.connectionID), now: now)
        } else {
            serve(fd, remote: remote, admitted: deps.balance.admit(), now: now)
        }
    }

    /// Starts serving a client on this loop; `admitted: false` (over the
    /// cap) only to say 503 and close.
    private func serve(_ fd: Int32, remote: String, admitted: Bool, now: ContinuousClock.Instant) {
        let overCap = !admitted
        if overCap {
            deps.stats.withLock { $0.rejectedByCapTotal += 1 }
            deps.logger.debug("connection limit reached; refusing client", ["remote": remote])
            guard deps.balance.refuse() else {
                discard(fd, countedOn: deps.index, releasing: .nothing)
                return
            }
        }
        let held: LoopBalance.Held = overCap ? .refusal : .admission

        var session: TLSSession?
        if let context = deps.tls.withLock({ $0 }) {
            do {
                session = try TLSSession(server: context, fd: fd)
            } catch {
                deps.logger.error("cannot start TLS for a new connection", ["error": error.message])
                discard(fd, countedOn: deps.index, releasing: held)
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
            discard(fd, countedOn: deps.index, releasing: held)
            return
        }
        connection.registeredInterest = connection.interest
        connections[fd] = connection
        deps.stats.withLock { $0.openConnections += 1 }
        apply(connection.start(now: now), to: connection)
    }

    /// At the cap, the connection that has made least progress (see
    /// `Connection.EvictionRank`), whose place a new client may take: slow
    /// or idle clients filling every slot must not lock out Prometheus,
    /// whose scrape sends its whole request at once. An attacker renewing
    /// its connections only evicts its own older ones. Nil when every
    /// connection is busy with a request; the new client then gets 503.
    private func leastProgressed() -> (connection: Connection, rank: Connection.EvictionRank)? {
        var victim: (connection: Connection, rank: Connection.EvictionRank)?
        for connection in connections.values {
            guard let rank = connection.evictionRank else { continue }
            if victim.map({ rank < $0.rank }) ?? true {
                victim = (connection, rank)
            }
        }
        return victim
    }

    /// Closes `connection` for a new client, which inherits its place under
    /// the cap: released and admitted again, the place could go meanwhile
    /// to a client another loop is admitting, and this one would get 503.
    private func evict(_ connection: Connection, rank: Connection.EvictionRank) {
        deps.logger.debug("connection limit reached; closing the least advanced connection", [
            "remote": connection.remoteAddress, "stage": "\(rank.stage)",
        ])
        close(connection, keepingItsPlace: true)
        deps.stats.withLock { $0.evictedByCapTotal += 1 }
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
        // Without an array: this runs before every `epoll_wait`.
        func sooner(_ lhs: ContinuousClock.Instant?, _ rhs: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
            guard let lhs else { return rhs }
            guard let rhs else { return lhs }
            return min(lhs, rhs)
        }
        guard let earliest = sooner(sooner(nextSweep, acceptsPausedUntil), shutdownDeadline) else { return -1 }
        let remaining = earliest - clock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    // MARK: Closing

    /// `keepingItsPlace`: the connection's place under the cap passes to
    /// the client evicting it (see `evict`).
    private func close(_ connection: Connection, keepingItsPlace: Bool = false) {
        try? deps.epoll.remove(connection.fd)
        _ = Glibc.close(connection.fd)
        closedThisBatch.insert(connection.fd)
        bufferedInput.remove(connection.fd)
        connection.handlerTask?.cancel()
        connections.removeValue(forKey: connection.fd)
        let held: LoopBalance.Held = connection.isRejected ? .refusal : keepingItsPlace ? .nothing : .admission
        deps.balance.close(on: deps.index, releasing: held)
        let failedHandshake = connection.handshakeFailed
        deps.stats.withLock { stats in
            stats.openConnections -= 1
            if failedHandshake { stats.tlsHandshakeFailuresTotal += 1 }
        }
    }

    /// Closes a client socket no `Connection` holds yet and gives back
    /// what `LoopBalance` counted for it on `loop`.
    private func discard(_ fd: Int32, countedOn loop: Int, releasing held: LoopBalance.Held) {
        _ = Glibc.close(fd)
        deps.balance.close(on: loop, releasing: held)
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
        // Clients handed to this loop after it stopped taking messages.
        for case .adopt(let fd, _, _) in deps.mailbox.close() {
            discard(fd, countedOn: deps.index, releasing: .nothing)
        }
        deps.epoll.close()
    }
}
