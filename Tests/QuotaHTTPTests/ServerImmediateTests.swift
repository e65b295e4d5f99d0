import QuotaConcurrency
import QuotaHTTP
import Testing

extension ServerTests {
    /// `HTTPHandler.respondImmediately`: answers the handler has ready are
    /// sent from the event loop, with the same framing as any other, in
    /// order with pipelined requests that take the ordinary way.
    @Suite struct Immediate {
        /// `/ready*` is answered at once, everything else by `handle`,
        /// which counts its calls.
        private static func handler(calls: Locked<[String]>) -> ClosureHTTPHandler {
            ClosureHTTPHandler(immediate: { request in
                request.path.hasPrefix("/ready") ? .text(200, "ready \(request.target)", headers: ["X-Way": "loop"]) : nil
            }) { request in
                calls.withLock { $0.append(request.target) }
                return .text(200, "handled \(request.target)")
            }
        }

        @Test(arguments: Transport.allCases)
        func readyAnswersComeFromTheLoopInOrderWithPipelinedOnes(transport: Transport) async throws {
            let calls = Locked<[String]>([])
            try await withServer(transport: transport, handler: Self.handler(calls: calls)) { server, port in
                let responses = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/ready1") + get("/other") + get("/ready2") + get("/ready3"))
                    return try (1...4).map { _ in try client.readResponse() }
                }
                #expect(responses.map(\.text) == ["ready /ready1", "handled /other", "ready /ready2", "ready /ready3"])
                #expect(responses.map { $0.headers["x-way"] } == ["loop", nil, "loop", "loop"])
                #expect(responses.allSatisfy { $0.status == 200 && $0.headers["date"] != nil && $0.headers["connection"] == nil })
                #expect(calls.current == ["/other"], "only the request without a ready answer reached handle")
                #expect(server.stats.requestsTotal == 4)
                #expect(server.stats.immediateResponsesTotal == 3)
            }
        }

        /// A keyed response (a kept scrape) given again: the connection
        /// sends the head it wrote for it again, and a head written for
        /// another state (closing, another key, a changed response) is new.
        @Test(arguments: Transport.allCases)
        func aKeyedResponseGivenAgainGetsItsHeadAgainAndAChangedOneANewHead(transport: Transport) async throws {
            let kept = HTTPResponse(status: 200, headers: ["X-Kept": "yes"], bodyParts: [Array("kept ".utf8), Array("body".utf8)]).keyedForReuse()
            let other = kept.keyedForReuse()
            let changed = {
                var changed = kept
                changed.headers.set("X-Kept", "changed")
                return changed
            }()
            #expect(kept.headKey != 0 && other.headKey != 0 && other.headKey != kept.headKey)
            #expect(changed.headKey == 0, "any change to a keyed response drops its key")
            let handler = ClosureHTTPHandler(immediate: { request in
                switch request.path {
                case "/kept": kept
                case "/other": other
                case "/changed": changed
                default: nil
                }
            }) { _ in .text(404, "no") }
            try await withServer(transport: transport, handler: handler) { server, port in
                let responses = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/kept") + get("/kept") + get("/changed") + get("/other"))
                    var responses = try (1...4).map { _ in try client.readResponse() }
                    try client.send("GET /kept HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    responses.append(try client.readResponse())
                    return responses
                }
                #expect(responses.map(\.text) == ["kept body", "kept body", "kept body", "kept body", "kept body"])
                #expect(responses.map { $0.headers["x-kept"] } == ["yes", "yes", "changed", "yes", "yes"])
                #expect(responses.allSatisfy { $0.headers["content-length"] == "9" && $0.headers["date"] != nil })
                #expect(responses.map { $0.headers["connection"] } == [nil, nil, nil, nil, "close"], "the last asked to close")
                #expect(server.stats.immediateResponsesTotal == 5)
            }
        }

        @Test(arguments: Transport.allCases)
        func headAndConnectionCloseApplyToReadyAnswers(transport: Transport) async throws {
            let calls = Locked<[String]>([])
            try await withServer(transport: transport, handler: Self.handler(calls: calls)) { server, port in
                let (head, closing, rest) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("HEAD /ready HTTP/1.1\r\nHost: test\r\n\r\n")
                    let head = try client.readResponse(isHead: true)
                    try client.send("GET /ready HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    let closing = try client.readResponse()
                    return (head, closing, client.bytesUntilClose())
                }
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
                #expect(head.headers["content-length"] == "\("ready /ready".utf8.count)")
                #expect(closing.text == "ready /ready")
                #expect(closing.headers["connection"] == "close")
                #expect(rest == [], "the server closed after the answer")
                #expect(calls.current.isEmpty)
                #expect(server.stats.immediateResponsesTotal == 2)
            }
        }
    }
}
