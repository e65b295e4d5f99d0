#if canImport(Glibc)
import Glibc
#endif
import QuotaLogging

/// One accepted client socket and where it is in the request/response
/// cycle. Owned and touched only by the event-loop thread; every method
/// returns what the loop must do next instead of doing loop work itself.
final class Connection {
    enum Phase {
        /// TLS only: the handshake is under way; no HTTP byte yet.
        case handshaking
        /// Waiting for or receiving a request (idle, head, or body).
        case reading
        /// The handler is running; extra bytes are buffered, not parsed.
        case handling
        /// A response is being written; close once it is out, or not.
        case writing(closeAfter: Bool)
        /// Response sent and our side shut down; unread client bytes are
        /// discarded until the client closes, so closing never turns into a
        /// reset that destroys the response before the client reads it.
        case lingering
    }

    private enum Timer {
        case handshake, idle, head, body, write, linger
    }

    enum Outcome {
        case keepOpen
        case dispatch(HTTPRequest)
        case close
    }

    /// How readily the loop may close this connection to make room for a
    /// new one at the connection cap, least progress first: a head still
    /// arriving, then a keep-alive connection waiting for its next request,
    /// then a body still arriving. A request being handled or answered is
    /// never evicted.
    struct EvictionRank: Comparable, Sendable {
        enum Stage: Int, Comparable, Sendable {
            case head, idle, body

            static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
        }

        let stage: Stage
        /// When the connection entered that stage: older goes first.
        let since: ContinuousClock.Instant
        let id: UInt64

        static func < (lhs: EvictionRank, rhs: EvictionRank) -> Bool {
            (lhs.stage, lhs.since, lhs.id) < (rhs.stage, rhs.since, rhs.id)
        }
    }

    /// Bounds `lingering`; a client that never closes costs at most this.
    static let lingerTimeout: Duration = .seconds(2)
    /// What one read may add on top of what the parser holds.
    static let maxReadBytes = 64 * 1024
    /// TLS: output bytes handed to OpenSSL at a time (four records).
    static let tlsWriteBytes = 64 * 1024
    /// TLS: a record's worth (OpenSSL's maximum plaintext per record).
    /// Small chunks (a response head, small body parts) are copied
    /// together up to this, so they leave in one record; a chunk with at
    /// least this much left is handed to OpenSSL where it lies.
    static let tlsRecordBytes = 16 * 1024
    /// What the first `sendmsg` of a response takes when `headStart` is
    /// set. The kernel passes a write on to the client once it is copied
    /// (on loopback, a 64 KB segment at a time), so a client reading while
    /// the rest is copied needs the first bytes to go on their own.
    static let headStartBytes = 8 * 1024

    let id: UInt64
    let fd: Int32
    let remoteAddress: String
    /// Accepted past the connection cap; only here to say 503.
    let isRejected: Bool
    var handlerTask: Task<Void, Never>?
    /// The epoll interest currently registered, kept by the loop.
    var registeredInterest: UInt32 = 0
    /// TLS: the handshake failed or timed out (counted by the loop).
    private(set) var handshakeFailed = false

    private let configuration: HTTPServerConfiguration
    private let logger: Logger
    private var parser: RequestParser
    private var input: [UInt8] = []
    /// Pending output: whole chunks (response head, body parts) sent in
    /// order; `outputOffset` bytes of the first are already written.
    private var output: [[UInt8]] = []
    /// The head of the last keyed response sent here (a kept scrape).
    private var keptHead: ResponseSerializer.KeptHead?
    private var outputOffset = 0
    /// Set by the loop before each event: send a new response's first
    /// `headStartBytes` in a `sendmsg` of their own, so the client starts
    /// reading while the rest is copied. Worth it only when the loop has
    /// nothing else to do: the extra write and wake-up cost CPU that other
    /// ready connections would use.
    var headStart = false
    private(set) var phase = Phase.reading
    private(set) var deadline: ContinuousClock.Instant?
    private var timer = Timer.head
    /// When `timer` was armed for a new stage (not re-armed for progress).
    private var stageSince: ContinuousClock.Instant
    private var inputClosed = false
    private var shuttingDown = false
    private var requestsStarted = 0
    private var inFlight: RequestHead?

    /// Nil for plain HTTP, and after a plain HTTP request on a TLS port.
    private var tls: TLSSession?
    /// What the handshake waits for: the socket writable, else readable.
    private var handshakeWantsWrite = false
    /// TLS: a read that OpenSSL can only finish by writing, or a write it
    /// can only finish by reading; rare (key updates), but never dropped.
    private var readWaitsForWritable = false
    private var writeWaitsForReadable = false
    /// TLS: bytes taken from `output` and handed to OpenSSL; after a
    /// would-block they are offered again unchanged, as OpenSSL requires.
    private var staged: [UInt8] = []
    private var stagedOffset = 0

    init(
        id: UInt64,
        fd: Int32,
        remoteAddress: String,
        isRejected: Bool,
        configuration: HTTPServerConfiguration,
        logger: Logger,
        tls: TLSSession? = nil,
        now: ContinuousClock.Instant
    ) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.isRejected = isRejected
        self.configuration = configuration
        self.logger = logger
        self.parser = RequestParser(maxHeadBytes: configuration.maxHeadBytes, maxBodyBytes: configuration.maxBodyBytes)
        self.stageSince = now
        self.tls = tls
        if tls != nil {
            phase = .handshaking
            arm(.handshake, now)
        } else {
            arm(.head, now)
        }
    }

    /// What to do right after accept: a plain connection over the cap says
    /// 503 at once; a TLS one first needs its handshake to say anything.
    func start(now: ContinuousClock.Instant) -> Outcome {
        guard isRejected, tls == nil else { return .keepOpen }
        return reject(now: now)
    }

    // MARK: What the loop asks

    var wantsRead: Bool {
        if writeWaitsForReadable { return true }
        if inputClosed { return false }
        switch phase {
        case .handshaking:
            return !handshakeWantsWrite
        case .reading:
            return input.count < maxBufferedBytes
        case .lingering, .writing(closeAfter: true):
            return true
        case .handling, .writing(closeAfter: false):
            // Keep a pipelined request buffered, but do not read without
            // bound while this one is answered.
            return input.count <= configuration.maxHeadBytes
        }
    }

    var wantsWrite: Bool {
        if case .handshaking = phase { return handshakeWantsWrite }
        return !output.isEmpty || stagedOffset < staged.count || readWaitsForWritable
    }

    /// TLS: decrypted input OpenSSL already holds. The socket will not
    /// report it readable again, so the loop reads it without an event.
    var hasBufferedInput: Bool {
        guard let tls, wantsRead else { return false }
        switch phase {
        case .reading, .handling, .writing(closeAfter: false): return tls.pendingBytes > 0
        case .handshaking, .writing(closeAfter: true), .lingering: return false
        }
    }

    /// The hard cap on unconsumed input, whatever the parser's state: what
    /// the parser may hold while it waits, plus one read. Reads never go
    /// past it, and a parser that holds more than its share is refused.
    var maxBufferedBytes: Int { parser.maxHeldBytes + Self.maxReadBytes }

    /// Nil while the connection is doing work that must not be cut short.
    var evictionRank: EvictionRank? {
        guard !isRejected else { return nil }
        switch phase {
        case .handshaking, .reading: break
        case .handling, .writing, .lingering: return nil
        }
        let stage: EvictionRank.Stage
        switch timer {
        // A handshake is the start of receiving a head: ranked with heads
        // by accept time, so renewing clients evict their own older ones.
        case .handshake, .head: stage = .head
        case .idle: stage = .idle
        case .body: stage = .body
        case .write, .linger: return nil
        }
        return EvictionRank(stage: stage, since: stageSince, id: id)
    }

    var interest: UInt32 {
        (wantsRead ? LinuxAPI.epollIn : 0) | (wantsWrite ? LinuxAPI.epollOut : 0)
    }

    // MARK: Events

    /// The socket is readable: take one buffer's worth and act on it.
    func readable(into scratch: UnsafeMutableRawBufferPointer, now: ContinuousClock.Instant) -> Outcome {
        if case .handshaking = phase, let tls {
            return advanceHandshake(tls, now)
        }
        if writeWaitsForReadable {
            writeWaitsForReadable = false
            let outcome = flush(now)
            guard case .keepOpen = outcome else { return outcome }
        }
        let count: Int
        // Lingering and refused connections discard what they read (raw:
        // nothing after a refusal is ever decrypted).
        let discarding: Bool = switch phase {
        case .lingering, .writing(closeAfter: true): true
        case .handshaking, .reading, .handling, .writing(closeAfter: false): false
        }
        let room = discarding ? scratch.count : min(scratch.count, maxBufferedBytes - input.count)
        guard room > 0 else { return .keepOpen }
        if let tls, !discarding {
            switch tls.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<room])) {
            case .bytes(let read):
                count = read
            case .closed:
                count = 0
            case .wantRead:
                return .keepOpen
            case .wantWrite:
                readWaitsForWritable = true
                return .keepOpen
            case .failed(let reason):
                logger.debug("client TLS connection failed", ["remote": remoteAddress, "error": reason])
                return .close
            case .done, .plainHTTP:
                return .close
            }
        } else {
            do {
                count = try Syscall.call("recv") { recv(fd, scratch.baseAddress, room, 0) }
            } catch {
                if error.isWouldBlock { return .keepOpen }
                logger.debug("client connection failed", ["remote": remoteAddress, "error": error.description])
                return .close
            }
        }
        if count == 0 {
            inputClosed = true
        }

        switch phase {
        case .handshaking:
            return .close  // unreachable: handshakes return above
        case .lingering:
            return inputClosed ? .close : .keepOpen
        case .writing(closeAfter: true):
            return .keepOpen  // the request was refused; its bytes are noise
        case .reading:
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
            let outcome = processInput(now)
            if case .keepOpen = outcome, case .reading = phase, input.count > parser.maxHeldBytes {
                // The parser promises never to hold this much while it
                // waits; if it does, stop rather than buffer without bound.
                logger.debug("refusing request", ["remote": remoteAddress, "status": "400", "reason": "unparsed input over the limit"])
                return refuse(.badRequest("unparsed request data exceeds \(parser.maxHeldBytes) bytes"), now: now)
            }
            return outcome
        case .handling, .writing(closeAfter: false):
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
            return .keepOpen
        }
    }

    /// The socket can take more output.
    func writable(into scratch: UnsafeMutableRawBufferPointer, now: ContinuousClock.Instant) -> Outcome {
        if case .handshaking = phase, let tls {
            return advanceHandshake(tls, now)
        }
        if readWaitsForWritable {
            readWaitsForWritable = false
            let outcome = readable(into: scratch, now: now)
            guard case .keepOpen = outcome else { return outcome }
        }
        return wantsWrite ? flush(now) : .keepOpen
    }

    /// The handler's answer for the request in flight.
    func deliver(_ response: HTTPResponse, now: ContinuousClock.Instant) -> Outcome {
        guard case .handling = phase, let request = inFlight else { return .keepOpen }
        handlerTask = nil
        inFlight = nil
        let limitReached = configuration.maxRequestsPerConnection.map { requestsStarted >= $0 } ?? false
        let handlerWantsClose = HTTPSyntax.listElements(response.headers.values("Connection")).contains("close")
        let closing = !request.keepAlive || shuttingDown || inputClosed || limitReached || handlerWantsClose
        let chunks = ResponseSerializer.serialize(
            response,
            omitBody: request.method == "HEAD",
            closing: closing,
            announceKeepAlive: !closing && request.version == "HTTP/1.0",
            logger: logger,
            kept: &keptHead
        )
        return send(chunks, closeAfter: closing, now: now)
    }

    /// Its deadline passed.
    func timedOut(now: ContinuousClock.Instant) -> Outcome {
        switch timer {
        case .handshake:
            handshakeFailed = true
            logger.debug("TLS handshake timed out", ["remote": remoteAddress])
            return .close
        case .head, .body:
            guard case .reading = phase else { return .close }
            logger.debug("request timed out", ["remote": remoteAddress, "waiting_for": timer == .head ? "head" : "body"])
            return refuse(HTTPParseError(status: 408, reason: "timed out waiting for the request"), now: now)
        case .idle, .write, .linger:
            return .close
        }
    }

    /// The server is stopping: requests being handled are finished and
    /// answered with `Connection: close`; everything else closes now.
    func beginShutdown(now: ContinuousClock.Instant) -> Outcome {
        shuttingDown = true
        switch phase {
        case .handshaking, .reading:
            return .close
        case .handling, .lingering:
            return .keepOpen
        case .writing:
            phase = .writing(closeAfter: true)
            return .keepOpen
        }
    }

    /// Over the connection cap: say 503 and close, without reading a request.
    func reject(now: ContinuousClock.Instant) -> Outcome {
        refuse(HTTPParseError(status: 503, reason: "too many open connections"), now: now)
    }

    // MARK: TLS handshake

    private func advanceHandshake(_ tls: TLSSession, _ now: ContinuousClock.Instant) -> Outcome {
        switch tls.handshake() {
        case .done:
            handshakeWantsWrite = false
            if let refusal = tls.allowedSANsRefusal() {
                handshakeFailed = true
                logger.debug("TLS client refused", ["remote": remoteAddress, "reason": refusal])
                return .close
            }
            phase = .reading
            arm(.head, now)
            return isRejected ? reject(now: now) : .keepOpen
        case .wantRead:
            handshakeWantsWrite = false
            return .keepOpen
        case .wantWrite:
            handshakeWantsWrite = true
            return .keepOpen
        case .plainHTTP:
            // Say so in plain HTTP, as Go's server does, then close.
            self.tls = nil
            phase = .reading
            logger.debug("refusing request", ["remote": remoteAddress, "status": "400", "reason": "plain HTTP on the TLS listener"])
            return refuse(HTTPParseError(status: 400, reason: "this server speaks HTTPS; the client sent plain HTTP"), now: now)
        case .failed(let reason):
            handshakeFailed = true
            logger.debug("TLS handshake failed", ["remote": remoteAddress, "error": reason])
            return .close
        case .bytes, .closed:
            handshakeFailed = true
            return .close
        }
    }

    // MARK: Request side

    private func processInput(_ now: ContinuousClock.Instant) -> Outcome {
        guard case .reading = phase else { return .keepOpen }
        if timer == .idle, !input.isEmpty {
            arm(.head, now)  // the head timeout runs from a request's first byte
        }
        while true {
            switch parser.next(&input) {
            case .needMoreData:
                // Peer closed between requests (normal) or mid-request
                // (nothing we could answer).
                return inputClosed ? .close : .keepOpen
            case .headReceived(let head):
                arm(.body, now)
                if head.expectsContinue, input.isEmpty {
                    output.append(ResponseSerializer.continueResponse)
                    if case .close = flush(now) { return .close }
                }
            case .requestComplete(let head, let body):
                return startHandling(head, body: body)
            case .failed(let error):
                logger.debug("refusing request", ["remote": remoteAddress, "status": "\(error.status)", "reason": error.reason])
                return refuse(error, now: now)
            }
        }
    }

    private func startHandling(_ head: RequestHead, body: [UInt8]) -> Outcome {
        phase = .handling
        deadline = nil  // a handler may take as long as it takes
        requestsStarted += 1
        inFlight = head
        return .dispatch(HTTPRequest(
            method: head.method,
            target: head.target,
            version: head.version,
            headers: head.headers,
            body: body,
            remoteAddress: remoteAddress
        ))
    }

    /// Answers with an error the server generated itself, then closes.
    private func refuse(_ error: HTTPParseError, now: ContinuousClock.Instant) -> Outcome {
        input.removeAll()
        let response = HTTPResponse.text(error.status, "\(HTTPResponse.reason(error.status)): \(error.reason)\n")
        let chunks = ResponseSerializer.serialize(response, omitBody: false, closing: true, announceKeepAlive: false, logger: logger)
        return send(chunks, closeAfter: true, now: now)
    }

    // MARK: Response side

    private func send(_ chunks: [[UInt8]], closeAfter: Bool, now: ContinuousClock.Instant) -> Outcome {
        let nonEmpty = HTTPResponse.nonEmpty(chunks)
        if output.isEmpty {
            output = nonEmpty
        } else {
            output.append(contentsOf: nonEmpty)
        }
        phase = .writing(closeAfter: closeAfter)
        arm(.write, now)
        return flush(now, headStart: headStart)
    }

    /// Writes as much pending output as the socket takes, several chunks
    /// per `sendmsg` so a response head and its body leave together; with
    /// `headStart`, the first call takes at most `headStartBytes`.
    private func flush(_ now: ContinuousClock.Instant, headStart: Bool = false) -> Outcome {
        if let tls { return flushTLS(tls, now) }
        var progressed = false
        while !output.isEmpty {
            let written: Int
            let limit = headStart && !progressed ? Self.headStartBytes : Int.max
            do {
                written = try Syscall.call("sendmsg") { OutputVector.send(output, firstOffset: outputOffset, limit: limit, to: fd) }
            } catch {
                if error.isWouldBlock {
                    if progressed, case .writing = phase { arm(.write, now) }
                    return .keepOpen
                }
                logger.debug("client went away during response", ["remote": remoteAddress, "error": error.description])
                return .close
            }
            consume(written)
            progressed = true
        }
        outputOffset = 0
        return outputDrained(now)
    }

    /// `flush` through OpenSSL, which reports the records each write
    /// finished. A large chunk is written in place (a kept scrape's body is
    /// a few large parts: copying it cost a `memcpy` and a fresh 64 KB
    /// buffer per write); small ones are first copied together into
    /// `staged`. After a would-block the same bytes are offered again, as
    /// OpenSSL requires: `staged` is kept, and a chunk in place is only
    /// consumed once written, so the choice falls the same way again.
    private func flushTLS(_ tls: TLSSession, _ now: ContinuousClock.Instant) -> Outcome {
        var progressed = false
        while stagedOffset < staged.count || !output.isEmpty {
            let inPlace = stagedOffset >= staged.count && output[0].count - outputOffset >= Self.tlsRecordBytes
            let step: TLSSession.Step
            if inPlace {
                let end = min(output[0].count, outputOffset + Self.tlsWriteBytes)
                step = output[0].withUnsafeBytes { tls.write(UnsafeRawBufferPointer(rebasing: $0[outputOffset..<end])) }
            } else {
                if stagedOffset >= staged.count { stageOutput() }
                step = staged.withUnsafeBytes { tls.write(UnsafeRawBufferPointer(rebasing: $0[stagedOffset...])) }
            }
            switch step {
            case .bytes(let written):
                if inPlace { consume(written) } else { stagedOffset += written }
                progressed = true
            case .wantWrite, .wantRead:
                if step == .wantRead { writeWaitsForReadable = true }
                if progressed, case .writing = phase { arm(.write, now) }
                return .keepOpen
            case .failed(let reason):
                logger.debug("client went away during response", ["remote": remoteAddress, "error": reason])
                return .close
            case .closed, .done, .plainHTTP:
                return .close
            }
        }
        staged = []
        stagedOffset = 0
        return outputDrained(now)
    }

    private func stageOutput() {
        staged = []
        stagedOffset = 0
        while staged.count < Self.tlsRecordBytes, let first = output.first {
            let take = min(first.count - outputOffset, Self.tlsRecordBytes - staged.count)
            staged.append(contentsOf: first[outputOffset..<(outputOffset + take)])
            consume(take)
        }
    }

    /// Drops what `sendmsg` wrote from the front of the queue: the chunks
    /// `written` bytes finished all at once (one at a time would shift the
    /// rest for each), and the offset into the one it ended in.
    private func consume(_ written: Int) {
        var remaining = written
        var finished = 0
        while remaining > 0, finished < output.count {
            let left = output[finished].count - outputOffset
            if remaining >= left {
                remaining -= left
                finished += 1
                outputOffset = 0
            } else {
                outputOffset += remaining
                remaining = 0
            }
        }
        if finished == output.count {
            output = []
        } else if finished > 0 {
            output.removeFirst(finished)
        }
    }

    private func outputDrained(_ now: ContinuousClock.Instant) -> Outcome {
        switch phase {
        case .writing(closeAfter: true):
            return startLingering(now)
        case .writing(closeAfter: false):
            phase = .reading
            arm(.idle, now)
            return processInput(now)  // a pipelined request may be waiting
        case .handshaking, .reading, .handling, .lingering:
            return .keepOpen  // e.g. `100 Continue` went out
        }
    }

    private func startLingering(_ now: ContinuousClock.Instant) -> Outcome {
        tls?.shutdown()
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        phase = .lingering
        input = []
        arm(.linger, now)
        return inputClosed ? .close : .keepOpen
    }

    private func arm(_ timer: Timer, _ now: ContinuousClock.Instant) {
        // The head after a handshake keeps the accept time for eviction.
        if timer != self.timer, !(self.timer == .handshake && timer == .head) {
            stageSince = now
        }
        self.timer = timer
        let timeout: Duration = switch timer {
        case .handshake: configuration.tlsHandshakeTimeout
        case .idle: configuration.idleTimeout
        case .head: configuration.headTimeout
        case .body: configuration.bodyTimeout
        case .write: configuration.writeTimeout
        case .linger: Self.lingerTimeout
        }
        deadline = now + timeout
    }
}
