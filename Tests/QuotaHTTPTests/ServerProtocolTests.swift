import Testing
import QuotaHTTP
import QuotaLogging
#if canImport(Glibc)
import Glibc
#endif

extension ServerTests {
    @Suite struct HTTPProtocol {
        @Test(arguments: Transport.allCases)
        func servesSeveralRequestsOnOneKeepAliveConnection(transport: Transport) async throws {
            try await withServer(transport: transport) { server, port in
                let bodies = try await blocking {
                    let client = try transport.connect(port: port)
                    return try (1...3).map { index in
                        try client.send(get("/r\(index)"))
                        let response = try client.readResponse()
                        #expect(response.status == 200)
                        #expect(response.headers["connection"] == nil)
                        #expect(response.headers["date"] != nil)
                        return response.text
                    }
                }
                #expect(bodies == ["hello /r1", "hello /r2", "hello /r3"])
                #expect(server.stats.acceptedTotal == 1)
                #expect(server.stats.requestsTotal == 3)
            }
        }

        @Test(arguments: Transport.allCases)
        func answersPipelinedRequestsInOrder(transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let bodies = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/slow?200") + get("/second") + get("/third"))
                    return try (1...3).map { _ in try client.readResponse().text }
                }
                #expect(bodies == ["slow done", "hello /second", "hello /third"])
            }
        }

        @Test(arguments: Transport.allCases)
        func bodyInManyPartsArrivesWholeAndInOrder(transport: Transport) async throws {
            let expected = (0..<150).flatMap { index in [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: index % 7 == 0 ? 40_000 : index + 1) }
            try await withServer(transport: transport) { _, port in
                let (first, second) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/parts") + get("/parts"))
                    return (try client.readResponse(), try client.readResponse())
                }
                #expect(first.status == 200)
                #expect(first.headers["content-length"] == "\(expected.count)")
                #expect(first.body == expected)
                #expect(second.body == expected, "the keep-alive connection stays in step after a many-part body")
            }
        }

        /// Parts on both sides of a TLS record (16 KB), each with its own
        /// byte pattern, read by a client that pauses so the server's
        /// writes block again and again: over TLS, large parts are handed
        /// to OpenSSL in place and small ones copied together first, and a
        /// write retried after a block must offer the same bytes.
        @Test(arguments: Transport.allCases)
        func aBodyReadSlowlyArrivesByteForByte(transport: Transport) async throws {
            let sizes = [90, 3 << 20, 7, 20_000, 16_383, 16_384, 16_385, 1, 1 << 20, 5]
            let parts = sizes.enumerated().map { part, size in
                (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ part &* 7) % 251) }
            }
            let expected = parts.flatMap { $0 }
            let handler = ClosureHTTPHandler { _ in HTTPResponse(status: 200, bodyParts: parts) }
            try await withServer(transport: transport, handler: handler) { _, port in
                let responses = try await blocking {
                    let client = try transport.connect(port: port, timeoutSeconds: 20)
                    guard let raw = client as? TestClient else { throw TestClientError(description: "not a TestClient") }
                    try raw.send(get("/a") + get("/b"))
                    for step in 1...20 {
                        usleep(20_000)
                        try raw.readSome(atLeast: step * 256 * 1024)
                    }
                    return (try raw.readResponse(), try raw.readResponse())
                }
                #expect(responses.0.body.count == expected.count)
                #expect(responses.0.body == expected)
                #expect(responses.1.body == expected, "the second response follows the first exactly")
            }
        }

        @Test func headSendsLengthButNoBody() async throws {
            try await withServer { _, port in
                let (head, next) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send("HEAD /abc HTTP/1.1\r\nHost: t\r\n\r\n")
                    let head = try client.readResponse(isHead: true)
                    // Any stray body bytes would corrupt this next response.
                    try client.send(get("/after"))
                    return (head, try client.readResponse())
                }
                #expect(head.status == 200)
                #expect(head.headers["content-length"] == "\("hello /abc".utf8.count)")
                #expect(next.text == "hello /after")
            }
        }

        @Test func postWithContentLengthBody() async throws {
            try await withServer { _, port in
                let response = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello")
                    try client.send(" world")
                    return try client.readResponse()
                }
                #expect(response.status == 200)
                #expect(response.text == "hello world")
                #expect(response.headers["x-method"] == "POST")
            }
        }

        @Test(arguments: Transport.allCases)
        func postWithChunkedBodyInPieces(transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
                    try client.send("lo\r\n6\r\n world\r\n")
                    try client.send("0\r\n\r\n")
                    return try client.readResponse()
                }
                #expect(response.text == "hello world")
            }
        }

        @Test func http10ClosesAfterResponse() async throws {
            try await withServer { _, port in
                let (response, closed) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send("GET /old HTTP/1.0\r\n\r\n")
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.text == "hello /old")
                #expect(response.headers["connection"] == "close")
                #expect(closed)
            }
        }

        @Test func clientConnectionCloseIsHonoured() async throws {
            try await withServer { _, port in
                let (response, closed) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/", extraHeaders: "Connection: close\r\n"))
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.status == 200)
                #expect(response.headers["connection"] == "close")
                #expect(closed)
            }
        }

        @Test func maxRequestsPerConnectionClosesAfterTheLimit() async throws {
            try await withServer(configure: { $0.maxRequestsPerConnection = 2 }) { _, port in
                let (first, second, closed) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/1"))
                    let first = try client.readResponse()
                    try client.send(get("/2"))
                    return (first, try client.readResponse(), client.waitForClose())
                }
                #expect(first.headers["connection"] == nil)
                #expect(second.headers["connection"] == "close")
                #expect(closed)
            }
        }

        @Test func handlerCannotInjectHeaderLines() async throws {
            let handler = ClosureHTTPHandler { _ in
                HTTPResponse(status: 200, headers: ["X-Ok": "fine", "X-Bad": "a\r\nSet-Cookie: evil", "Content-Length": "999"], body: Array("ok".utf8))
            }
            try await withServer(handler: handler) { _, port in
                let response = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/"))
                    return try client.readResponse()
                }
                #expect(response.headers["x-ok"] == "fine")
                #expect(response.headers["x-bad"] == nil)
                #expect(response.headers["set-cookie"] == nil)
                #expect(response.headers["content-length"] == "2")
                #expect(response.text == "ok")
            }
        }

        @Test func listensOnAllInterfacesForIPv4Clients() async throws {
            try await withServer(address: ":0") { server, port in
                #expect(server.boundAddresses[0].isAllInterfaces)
                let response = try await blocking {
                    let client = try TestClient(port: port, host: "127.0.0.1")
                    try client.send(get("/remote"))
                    return try client.readResponse()
                }
                #expect(response.text.hasPrefix("127.0.0.1:"))
            }
        }

        @Test func servesIPv6LoopbackWhenAvailable() async throws {
            let configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "[::1]:0")])
            let server = HTTPServer(configuration: configuration, handler: testHandler, logger: .disabled)
            do {
                try server.start()
            } catch let error as SocketError where [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.errno) {
                return  // no IPv6 loopback on this host
            }
            let port = server.boundAddresses[0].port
            let response = try await blocking {
                let client = try TestClient(port: port, host: "::1")
                try client.send(get("/remote"))
                return try client.readResponse()
            }
            await server.shutdown(gracePeriod: .seconds(1))
            #expect(server.boundAddresses[0].description == "[::1]:\(port)")
            #expect(response.text.hasPrefix("[::1]:"))
        }

        @Test func bindingABusyPortNamesTheAddress() async throws {
            try await withServer { _, port in
                let configuration = HTTPServerConfiguration(listenAddresses: [ListenAddress(host: "127.0.0.1", port: port)])
                let second = HTTPServer(configuration: configuration, handler: testHandler, logger: .disabled)
                #expect {
                    try second.start()
                } throws: { error in
                    let error = error as? SocketError
                    return error?.errno == EADDRINUSE && error?.description.contains("127.0.0.1:\(port)") == true
                }
            }
        }
    }
}
