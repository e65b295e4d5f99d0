/// Incremental HTTP/1.1 request parser for one connection: it consumes
/// bytes from the front of the connection's input buffer and leaves
/// anything after a complete request (a pipelined request) in place.
struct RequestParser {
    private enum State {
        case head
        case body(RequestHead, remaining: Int)
        case chunked(RequestHead, ChunkedBodyDecoder)
    }

    private let maxHeadBytes: Int
    private let maxBodyBytes: Int
    private var state = State.head
    /// How much of the buffer was already searched for the end of the head,
    /// so a head trickling in byte by byte is not rescanned every time.
    private var scannedBytes = 0
    private var body: [UInt8] = []

    init(maxHeadBytes: Int, maxBodyBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
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
            skipEmptyLines(&input)
        }
        guard let (headLength, totalLength) = findEndOfHead(input) else {
            scannedBytes = input.count
            if input.count > maxHeadBytes {
                throw HTTPParseError(status: 431, reason: "request head exceeds \(maxHeadBytes) bytes")
            }
            return .needMoreData
        }
        guard totalLength <= maxHeadBytes else {
            throw HTTPParseError(status: 431, reason: "request head exceeds \(maxHeadBytes) bytes")
        }
        let head = try RequestHeadParser.parse(input[..<headLength], maxBodyBytes: maxBodyBytes)
        input.removeFirst(totalLength)
        scannedBytes = 0

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

    private mutating func finish(_ head: RequestHead) -> ParseEvent {
        let complete = body
        body = []
        state = .head
        return .requestComplete(head, body: complete)
    }

    /// RFC 9112 asks servers to ignore empty lines before a request line
    /// (some clients send a stray CRLF after a POST body).
    private func skipEmptyLines(_ input: inout [UInt8]) {
        var start = 0
        while start < input.count {
            if input[start] == HTTPSyntax.lf {
                start += 1
            } else if input[start] == HTTPSyntax.cr, start + 1 < input.count, input[start + 1] == HTTPSyntax.lf {
                start += 2
            } else {
                break
            }
        }
        input.removeFirst(start)
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
