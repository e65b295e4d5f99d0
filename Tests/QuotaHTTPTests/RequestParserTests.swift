import Testing
@testable import QuotaHTTP

/// The parser on its own, byte by byte where it matters; the server tests
/// cover the same rules end to end.
@Suite struct RequestParserTests {
    private func parse(_ text: String, maxBody: Int = 1 << 20) -> (ParseEvent, remaining: [UInt8]) {
        var parser = RequestParser(maxHeadBytes: 8192, maxBodyBytes: maxBody)
        var input = Array(text.utf8)
        var event = parser.next(&input)
        while case .headReceived = event {
            event = parser.next(&input)
        }
        return (event, input)
    }

    @Test func acceptsBareLineFeedsAndLeavesPipelinedBytes() {
        let (event, remaining) = parse("\r\nGET /a?b=1 HTTP/1.1\nHost: x\nX-Thing:  spaced value \n\nGET /next")
        guard case .requestComplete(let head, let body) = event else {
            Issue.record("expected a request, got \(event)")
            return
        }
        #expect(head.method == "GET")
        #expect(head.target == "/a?b=1")
        #expect(head.headers["x-thing"] == "spaced value")
        #expect(head.keepAlive)
        #expect(body.isEmpty)
        #expect(String(decoding: remaining, as: UTF8.self) == "GET /next")
    }

    @Test func decodesChunkedBodyFedOneByteAtATime() {
        let text = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n"
        var parser = RequestParser(maxHeadBytes: 8192, maxBodyBytes: 100)
        var input: [UInt8] = []
        var result: [UInt8]?
        for byte in text.utf8 {
            input.append(byte)
            switch parser.next(&input) {
            case .requestComplete(_, let body): result = body
            case .failed(let error): Issue.record("failed: \(error)")
            case .needMoreData, .headReceived: break
            }
        }
        #expect(result.map { String(decoding: $0, as: UTF8.self) } == "hello world")
        #expect(input.isEmpty)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", 400),                                        // no Host
        ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),                             // double space
        ("GET /\r\nHost: x\r\n\r\n", 400),                                       // HTTP/0.9 style
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),                              // method not a token
        ("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),                      // absolute-form
        ("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),                              // * only for OPTIONS
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),                             // space before colon
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),                   // obs-fold
        ("GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", 400),                    // bare CR
        ("GET / HTTP/1.1\r\nHost: x\r\nA: b\u{0}c\r\n\r\n", 400),                 // NUL
        ("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),                    // two Hosts
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999, 99999999999999999998\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5 5\r\n\r\nhello", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", 413),
        ("\r\rGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("GET / HTTPS/1.1\r\nHost: x\r\n\r\n", 400),
    ])
    func refusesMalformedRequests(text: String, status: Int) {
        let (event, _) = parse(text, maxBody: 100)
        guard case .failed(let error) = event else {
            Issue.record("expected \(status), got \(event)")
            return
        }
        #expect(error.status == status)
    }

    /// OWS is SP and HTAB as bytes: a space before a combining mark is
    /// trimmed, though as Characters the two would be one.
    @Test func fieldValuesAreTrimmedAsBytes() {
        guard case .requestComplete(let head, _) = parse("GET / HTTP/1.1\r\nHost: x\r\nX-A: \t \u{301}v\u{301} \t\r\nX-B:\r\n\r\n").0 else {
            Issue.record("not parsed")
            return
        }
        #expect(head.headers["X-A"].map { Array($0.utf8) } == Array("\u{301}v\u{301}".utf8))
        #expect(head.headers["X-B"] == "")
    }

    @Test func refusesOversizedHeadBeforeItEnds() {
        var parser = RequestParser(maxHeadBytes: 100, maxBodyBytes: 100)
        var input = Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200)).utf8)
        guard case .failed(let error) = parser.next(&input) else {
            Issue.record("expected 431")
            return
        }
        #expect(error.status == 431)
    }

    @Test func http10ClosesUnlessKeepAliveAsked() {
        guard case .requestComplete(let plain, _) = parse("GET / HTTP/1.0\r\n\r\n").0,
              case .requestComplete(let kept, _) = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").0,
              case .requestComplete(let closed, _) = parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").0 else {
            Issue.record("expected requests")
            return
        }
        #expect(!plain.keepAlive)
        #expect(kept.keepAlive)
        #expect(!closed.keepAlive)
    }

    @Test func contentLengthWithLeadingZerosAndRepeatsIsOneLength() {
        let (event, remaining) = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0000000000000000000000000005, 5\r\nContent-Length: 05\r\n\r\nhelloGET")
        guard case .requestComplete(_, let body) = event else {
            Issue.record("expected a request, got \(event)")
            return
        }
        #expect(String(decoding: body, as: UTF8.self) == "hello")
        #expect(String(decoding: remaining, as: UTF8.self) == "GET")
    }
}
