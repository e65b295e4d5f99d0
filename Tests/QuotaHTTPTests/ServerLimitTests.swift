import Foundation
import Testing
import QuotaHTTP
import QuotaLogging

extension ServerTests {
    @Suite struct Limits {
        @Test(arguments: Transport.allCases)
        func oversizedHeadGets431AndClose(transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let (response, closed) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/", extraHeaders: "X-Filler: \(String(repeating: "a", count: 9 * 1024))\r\n"))
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.status == 431)
                #expect(response.headers["connection"] == "close")
                #expect(closed)
            }
        }

        @Test(arguments: Transport.allCases)
        func bigContentLengthGets413BeforeTheBodyIsSent(transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let (response, closed) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(2 << 20)\r\n\r\n")
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.status == 413)
                #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
                #expect(closed)
            }
        }

        @Test(arguments: Transport.allCases)
        func chunkedBodyOverTheCapGets413(transport: Transport) async throws {
            try await withServer(transport: transport, configure: { $0.maxBodyBytes = 8 }) { _, port in
                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
                    return try client.readResponse()
                }
                #expect(response.status == 413)
            }
        }

        @Test func expectContinueOverTheCapGets413AtOnce() async throws {
            try await withServer { _, port in
                let response = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n")
                    return try client.readResponse()
                }
                #expect(response.status == 413)
            }
        }

        @Test func expectContinueWithinTheCapGets100ThenTheAnswer() async throws {
            try await withServer { _, port in
                let (interim, final) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
                    let interim = try client.readResponse()
                    try client.send("data")
                    return (interim, try client.readResponse())
                }
                #expect(interim.status == 100)
                #expect(final.status == 200)
                #expect(final.text == "data")
            }
        }

        @Test(arguments: [
            ("GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n  folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: t\r\nX: a\u{0}b\r\n\r\n", 400),
            ("GET relative HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab", 400),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -2\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505),
            ("\r\rGET / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999, 99999999999999999998\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n", 400),
        ])
        func malformedRequestGetsErrorAndClose(request: String, status: Int) async throws {
            try await withServer { _, port in
                let (response, closed) = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(request)
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.status == status)
                #expect(response.headers["connection"] == "close")
                #expect(closed)
            }
        }

        @Test func clientErrorsAreLoggedAtDebugWithoutSecrets() async throws {
            let sink = MemoryLogSink()
            try await withServer(logger: Logger(level: .debug, sink: sink)) { _, port in
                let response = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send("POST /x HTTP/1.1\r\nAuthorization: Bearer SECRET-TOKEN\r\nContent-Length: 9\r\n\r\nTOPSECRET")
                    return try client.readResponse()
                }
                #expect(response.status == 400)  // no Host
            }
            let refusal = sink.lines.first { $0.contains("refusing request") }
            #expect(refusal?.contains("level=debug") == true)
            #expect(refusal?.contains("remote=127.0.0.1:") == true)
            #expect(!sink.lines.contains { $0.contains("SECRET") })
        }

        /// A negative chunk size used to pass the body cap and leave the
        /// decoder consuming nothing while the connection buffered every
        /// read (gigabytes in seconds). Now: 400 at once, and nothing kept.
        @Test(arguments: Transport.allCases)
        func signedChunkSizeGets400InsteadOfBufferingForever(transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let (response, closed) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n")
                    // Keep sending, as the attack did; the server may already
                    // have closed, so later sends may fail.
                    for _ in 0..<16 {
                        guard (try? client.send([UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024))) != nil else { break }
                    }
                    return (try client.readResponse(), client.waitForClose())
                }
                #expect(response.status == 400)
                #expect(response.text.contains("invalid chunk size"))
                #expect(closed)
            }
        }

        /// A stray CRLF after a body, with CR and LF in separate reads, made
        /// the next request on the connection a 400.
        @Test(arguments: Transport.allCases)
        func strayLineEndSplitAcrossReadsIsIgnored(transport: Transport) async throws {
            try await withServer(transport: transport) { _, port in
                let (first, second) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc\r")
                    let first = try client.readResponse()
                    try client.send("\n" + get("/next"))
                    return (first, try client.readResponse())
                }
                #expect(first.text == "abc")
                #expect(second.status == 200)
                #expect(second.text == "hello /next")
            }
        }
    }
}
