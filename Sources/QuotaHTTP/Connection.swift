#if canImport(Glibc)
import Glibc
#endif
import QuotaLogging

/// One accepted client socket and where it is in the request/response
/// cycle. Owned and touched only by the event-loop thread; every method
/// returns what the loop must do next instead of doing loop work itself.
final class Connection {
    enum Phase {
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
        case idle, head, body, write, linger
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
    struct EvictionRank: Comparable {
        enum Stage: Int, Comparable {
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

    let id: UInt64
    let fd: Int32
    let remoteAddress: String
    /// Accepted past the connection cap; only here to say 503.
    let isRejected: Bool
    var handlerTask: Task<Void, Never>?
    /// The epoll interest currently registered, kept by the loop.
    var registeredInterest: UInt32 = 0

    private let configuration: HTTPServerConfiguration
    private let logger: Logger
    private var parser: RequestParser
    private var input: [UInt8] = []
    /// Pending output: whole chunks (response head, body parts) sent in
    /// order; `outputOffset` bytes of the first are already written.
    private var output: [[UInt8]] = []
    private var outputOffset = 0
    private(set) var phase = Phase.reading
    private(set) var deadline: ContinuousClock.Instant?
    private var timer = Timer.head
    /// When `timer` was armed for a new stage (not re-armed for progress).
    private var stageSince: ContinuousClock.Instant
    private var inputClosed = false
    private var shuttingDown = false
    private var requestsStarted = 0
    private var inFlight: RequestHead?

    init(
        id: UInt64,
        fd: Int32,
        remoteAddress: String,
        isRejected: Bool,
        configuration: HTTPServerConfiguration,
        logger: Logger,
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
        arm(.head, now)
    }

    // MARK: What the loop asks

    var wantsRead: Bool {
        if inputClosed { return false }
        switch phase {
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

    var wantsWrite: Bool { !output.isEmpty }

    /// The hard cap on unconsumed input, whatever the parser's state: what
    /// the parser may hold while it waits, plus one read. Reads never go
    /// past it, and a parser that holds more than its share is refused.
    var maxBufferedBytes: Int { parser.maxHeldBytes + Self.maxReadBytes }

    /// Nil while the connection is doing work that must not be cut short.
    var evictionRank: EvictionRank? {
        guard !isRejected, case .reading = phase else { return nil }
        let stage: EvictionRank.Stage
        switch timer {
        case .head: stage = .head
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
        let count: Int
        // Lingering and refused connections discard what they read.
        let discarding: Bool = switch phase {
        case .lingering, .writing(closeAfter: true): true
        case .reading, .handling, .writing(closeAfter: false): false
        }
        let room = discarding ? scratch.count : min(scratch.count, maxBufferedBytes - input.count)
        guard room > 0 else { return .keepOpen }
        do {
            count = try Syscall.call("recv") { recv(fd, scratch.baseAddress, room, 0) }
        } catch {
            if error.isWouldBlock { return .keepOpen }
            logger.debug("client connection failed", ["remote": remoteAddress, "error": error.description])
            return .close
        }
        if count == 0 {
            inputClosed = true
        }

        switch phase {
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
    func writable(now: ContinuousClock.Instant) -> Outcome {
        flush(now)
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
            logger: logger
        )
        return send(chunks, closeAfter: closing, now: now)
    }

    /// Its deadline passed.
    func timedOut(now: ContinuousClock.Instant) -> Outcome {
        switch timer {
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
        case .reading:
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
        output.append(contentsOf: chunks.filter { !$0.isEmpty })
        phase = .writing(closeAfter: closeAfter)
        arm(.write, now)
        return flush(now)
    }

    /// Writes as much pending output as the socket takes, several chunks
    /// per `sendmsg` so a response head and its body leave together.
    private func flush(_ now: ContinuousClock.Instant) -> Outcome {
        var progressed = false
        while !output.isEmpty {
            let written: Int
            do {
                written = try Syscall.call("sendmsg") { OutputVector.send(output, firstOffset: outputOffset, to: fd) }
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

    /// Drops what `sendmsg` wrote from the front of the queue.
    private func consume(_ written: Int) {
        var remaining = written
        while remaining > 0, let first = output.first {
            let left = first.count - outputOffset
            if remaining >= left {
                remaining -= left
                output.removeFirst()
                outputOffset = 0
            } else {
                outputOffset += remaining
                remaining = 0
            }
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
        case .reading, .handling, .lingering:
            return .keepOpen  // e.g. `100 Continue` went out
        }
    }

    private func startLingering(_ now: ContinuousClock.Instant) -> Outcome {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        phase = .lingering
        input = []
        arm(.linger, now)
        return inputClosed ? .close : .keepOpen
    }

    private func arm(_ timer: Timer, _ now: ContinuousClock.Instant) {
        if timer != self.timer {
            stageSince = now
        }
        self.timer = timer
        let timeout: Duration = switch timer {
        case .idle: configuration.idleTimeout
        case .head: configuration.headTimeout
        case .body: configuration.bodyTimeout
        case .write: configuration.writeTimeout
        case .linger: Self.lingerTimeout
        }
        deadline = now + timeout
    }
}
