import Foundation
import Testing
import QuotaHTTP

extension ServerTests {
    @Suite struct Timeouts {
        /// A slowloris client holding a half-sent head must not delay anyone
        /// else, and must get 408 once the head timeout has passed.
        @Test(arguments: Transport.allCases)
        func partialHeadGets408WhileOthersAreServed(transport: Transport) async throws {
            try await withServer(transport: transport, configure: { $0.headTimeout = .seconds(2) }) { _, port in
                let slow = try await blocking {
                    let slow = try transport.connect(port: port)
                    try slow.send("GET / HTTP/1.1\r\nHost:")
                    return slow
                }
                let started = ContinuousClock.now

                let other = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/meanwhile"))
                    return try client.readResponse()
                }
                #expect(other.text == "hello /meanwhile")
                // Served before the slow client's timeout fired: it has
                // received nothing yet.
                #expect(try await blocking { slow.hasNothingToRead() })

                let (timedOut, closed) = try await blocking { (try slow.readResponse(), slow.waitForClose()) }
                #expect(timedOut.status == 408)
                #expect(closed)
                #expect(ContinuousClock.now - started >= .milliseconds(1900))
            }
        }

        @Test(arguments: Transport.allCases)
        func silentClientGets408AfterAccept(transport: Transport) async throws {
            try await withServer(transport: transport, configure: { $0.headTimeout = .milliseconds(300) }) { _, port in
                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    return try client.readResponse()
                }
                #expect(response.status == 408)
            }
        }

        @Test(arguments: Transport.allCases)
        func bodyThatStopsArrivingGets408(transport: Transport) async throws {
            try await withServer(transport: transport, configure: { $0.bodyTimeout = .milliseconds(300) }) { _, port in
                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
                    return try client.readResponse()
                }
                #expect(response.status == 408)
            }
        }

        @Test(arguments: Transport.allCases)
        func idleKeepAliveConnectionIsClosedQuietly(transport: Transport) async throws {
            try await withServer(transport: transport, configure: { $0.idleTimeout = .milliseconds(300) }) { server, port in
                let (response, closedWithoutBytes) = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/"))
                    let response = try client.readResponse()
                    return (response, client.bytesUntilClose() == [])
                }
                #expect(response.status == 200)
                #expect(closedWithoutBytes)
                #expect(await eventually { server.stats.openConnections == 0 })
            }
        }

        @Test(arguments: Transport.allCases)
        func peerThatStopsReadingIsDropped(transport: Transport) async throws {
            try await withServer(transport: transport, configure: { $0.writeTimeout = .milliseconds(300) }) { server, port in
                let client = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/big"))  // 5 MiB, never read
                    return client
                }
                #expect(await eventually { server.stats.requestsTotal == 1 })
                #expect(await eventually(within: 10) { server.stats.openConnections == 0 })
                withExtendedLifetime(client) {}
            }
        }
    }
}
