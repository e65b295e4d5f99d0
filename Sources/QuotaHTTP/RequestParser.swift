/// Incremental HTTP/1.1 request parser for one connection: it consumes
/// bytes from the front of the connection's input buffer and leaves
/// anything after a complete request (a pipelined request) in place.
///
/// The events it gives (leaving out `needMoreData`) depend only on the
/// bytes, never on how they were split into reads; and while it waits for
/// more it holds at most `maxHeldBytes` of them, so the caller can bound its
/// buffer whatever state the parser is in.
struct RequestParser {
    private enum State {
        case head
        case body(RequestHead, remaining: Int)
        case chunked(RequestHead, ChunkedBodyDecoder)
    }

    private let maxHeadBytes: Int
    private let maxBodyBytes: Int
    private var state = State.head
    /// Empty lines skipped before the request line; they count against the
    /// head limit, so a stream of CRLFs is bounded like any head.
    private var skippedBytes = 0
    /// How much of the buffer was already searched for the end of the head,
    /// so a head trickling in byte by byte is not rescanned every time.
    /// Non-zero once the request line has begun.
    private var scannedBytes = 0
    private var body: [UInt8] = []

    init(maxHeadBytes: Int, maxBodyBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// The most unconsumed bytes `next` leaves in its input when it answers
    /// `needMoreData`: a head not yet complete, or a chunk-size or trailer
    /// line. A caller holding more than this has a parser that is not
    /// making progress, and refuses the request instead of buffering on.
    var maxHeldBytes: Int {
        max(maxHeadBytes, ChunkedBodyDecoder.maxSizeLineBytes)
    }

    mutating func next(_ input: inout [UInt8]) -> ParseEvent {
        do {
            switch state {
            case .head:
                return try parseHead(&input)
            case .body(let head, let remaining):
                let taken = min(remaining, input.count)
                body.append(contentsOf: input[..<taken])
                input.removeFirst(taken)
                if taken == remaining {
                    return finish(head)
                }
                state = .body(head, remaining: remaining - taken)
                return .needMoreData
            case .chunked(let head, var decoder):
                let done = try decoder.consume(&input)
                if done {
                    body = decoder.body
                    return finish(head)
                }
                state = .chunked(head, decoder)
                return .needMoreData
            }
        } catch {
            return .failed(error)
        }
    }

    private mutating func parseHead(_ input: inout [UInt8]) throws(HTTPParseError) -> ParseEvent {
        if scannedBytes == 0 {
            try skipEmptyLines(&input)
            if input.isEmpty || input == [HTTPSyntax.cr] {
                return .needMoreData
            }
        }
        let headLimit = maxHeadBytes - skippedBytes
        guard let (headLength, totalLength) = findEndOfHead(input) else {
            scannedBytes = input.count
            if input.count > headLimit {
                throw headTooLarge
            }
            return .needMoreData
        }
        guard totalLength <= headLimit else {
            throw headTooLarge
        }
        let head = try RequestHeadParser.parse(input[..<headLength], maxBodyBytes: maxBodyBytes)
        input.removeFirst(totalLength)
        scannedBytes = 0
        skippedBytes = 0

        switch head.framing {
        case .none:
            return .requestComplete(head, body: [])
        case .contentLength(let length):
            body.reserveCapacity(length)
            state = .body(head, remaining: length)
        case .chunked:
            state = .chunked(head, ChunkedBodyDecoder(maxBodyBytes: maxBodyBytes, maxTrailerBytes: maxHeadBytes))
        }
        return .headReceived(head)
    }

    private var headTooLarge: HTTPParseError {
        HTTPParseError(status: 431, reason: "request head exceeds \(maxHeadBytes) bytes")
    }

    private mutating func finish(_ head: RequestHead) -> ParseEvent {
        let complete = body
        body = []
        state = .head
        return .requestComplete(head, body: complete)
    }

    /// RFC 9112 §2.2: a server ignores empty lines (CRLF or bare LF) before
    /// a request line; some clients send a stray CRLF after a POST body. A CR
    /// that is the last byte so far stays in the buffer until the next byte
    /// says whether it ends an empty line; a CR followed by anything but LF
    /// is refused. Skipped bytes count against the head limit.
    private mutating func skipEmptyLines(_ input: inout [UInt8]) throws(HTTPParseError) {
        var start = 0
        defer {
            input.removeFirst(start)
            skippedBytes += start
        }
        while start < input.count, skippedBytes + start <= maxHeadBytes {
            if input[start] == HTTPSyntax.lf {
                start += 1
            } else if input[start] == HTTPSyntax.cr {
                guard start + 1 < input.count else { break }
                guard input[start + 1] == HTTPSyntax.lf else {
                    throw .badRequest("bare CR before the request line")
                }
                start += 2
            } else {
                break
            }
        }
        if skippedBytes + start > maxHeadBytes {
            throw headTooLarge
        }
    }

    /// Finds the blank line ending the head. Returns the length of the head
    /// without its final line end, and the length including the blank line.
    private func findEndOfHead(_ input: [UInt8]) -> (Int, Int)? {
        var index = max(scannedBytes, 1)
        while index < input.count {
            if input[index] == HTTPSyntax.lf {
                if input[index - 1] == HTTPSyntax.lf {
                    return (index - 1, index + 1)
                }
                if index >= 2, input[index - 1] == HTTPSyntax.cr, input[index - 2] == HTTPSyntax.lf {
                    return (index - 2, index + 1)
                }
            }
            index += 1
        }
        return nil
    }
}

extension RequestParser {
    /// Feeds `chunks` in order, as reads would deliver them, to a fresh
    /// parser, and returns every event but `needMoreData`, up to and
    /// including the first failure, with the most bytes the parser left
    /// unconsumed while it waited. The entry point for tests and fuzz
    /// harnesses: the same bytes split differently must give the same
    /// events, and `mostHeld` must never exceed `maxHeldBytes`.
    static func events(
        feeding chunks: [[UInt8]],
        maxHeadBytes: Int = 8192,
        maxBodyBytes: Int = 1 << 20
    ) -> (events: [ParseEvent], mostHeld: Int) {
        var parser = RequestParser(maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes)
        var input: [UInt8] = []
        var events: [ParseEvent] = []
        var mostHeld = 0
        for chunk in chunks {
            input.append(contentsOf: chunk)
            while true {
                let event = parser.next(&input)
                if case .needMoreData = event {
                    mostHeld = max(mostHeld, input.count)
                    break
                }
                events.append(event)
                if case .failed = event {
                    return (events, mostHeld)
                }
            }
        }
        return (events, mostHeld)
    }
}
