import Foundation
import QuotaConcurrency
import Testing
@testable import QuotaHTTP
#if canImport(Glibc)
import Glibc
#endif

extension ServerTests {
    @Suite struct Concurrency {
        @Test(arguments: Transport.allCases, [1, 2])
        func getIsAnsweredWith500IdleConnectionsOpen(transport: Transport, eventLoops: Int) async throws {
            raiseOpenFileLimit()
            try await withServer(transport: transport, configure: { $0.eventLoops = eventLoops }) { server, port in
                let idle = try await blocking { try (0..<500).map { _ in try transport.connect(port: port) } }
                #expect(await eventually { server.stats.openConnections == 500 })

                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/busy"))
                    return try client.readResponse()
                }
                // Answered within the client's read timeout, and not by
                // closing an idle peer to make room: all 500 are still open.
                // (Latency is scripts/bench.sh's job, not a test's: a timed
                // bound here failed CI on a busy machine at 2.2 s.)
                #expect(response.text == "hello /busy")
                #expect(server.stats.evictedByCapTotal == 0)
                #expect(server.stats.openConnections >= 500)

                // One of the idle ones still works too.
                let fromIdle = try await blocking { [client = idle[250]] in
                    try client.send(get("/idle"))
                    return try client.readResponse()
                }
                #expect(fromIdle.text == "hello /idle")
            }
        }

        @Test(arguments: Transport.allCases)
        func clientVanishingMidResponseCostsOnlyItsConnection(transport: Transport) async throws {
            try await withServer(transport: transport) { server, port in
                try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/big"))
                    try client.readSome(atLeast: 64 * 1024)
                    // Closing with unread data makes the kernel send a reset.
                }
                #expect(await eventually { server.stats.openConnections == 0 })
                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/after"))
                    return try client.readResponse()
                }
                #expect(response.text == "hello /after")
            }
        }

        @Test func slowHandlerDoesNotDelayOtherConnections() async throws {
            try await withServer { server, port in
                let slowFinished = Locked(Optional<ContinuousClock.Instant>.none)
                let slow = Task {
                    let response = try await blocking {
                        let client = try TestClient(port: port)
                        try client.send(get("/slow?1000"))
                        return try client.readResponse()
                    }
                    slowFinished.set(.now)
                    return response
                }
                #expect(await eventually { server.stats.requestsTotal == 1 })

                let fast = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/fast"))
                    return try client.readResponse()
                }
                let fastFinished = ContinuousClock.now
                #expect(fast.text == "hello /fast")
                #expect(slowFinished.current == nil)  // the slow one is still running

                #expect(try await slow.value.text == "slow done")
                #expect(try #require(slowFinished.current) > fastFinished)
            }
        }

        /// With two loops the idle client and the one in flight live on
        /// different loops (each new client goes to the loop holding fewest).
        @Test(arguments: [1, 2])
        func gracefulShutdownFinishesInFlightRequestsAndRefusesNewOnes(eventLoops: Int) async throws {
            var configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")])
            configuration.idleTimeout = .seconds(60)
            configuration.eventLoops = eventLoops
            let server = HTTPServer(configuration: configuration, handler: testHandler, logger: .disabled)
            try server.start()
            let port = server.boundAddresses[0].port

            let idle = try TestClient(port: port)
            try idle.send(get("/"))
            _ = try idle.readResponse()

            let inFlight = Task {
                try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/slow?800"))
                    return (try client.readResponse(), client.waitForClose())
                }
            }
            #expect(await eventually { server.stats.requestsTotal == 2 })

            let shutdown = Task { await server.shutdown(gracePeriod: .seconds(10)) }
            #expect(await eventually { (try? TestClient(port: port)) == nil })
            #expect(try await blocking { idle.bytesUntilClose() } == [])

            let (response, closed) = try await inFlight.value
            #expect(response.text == "slow done")
            #expect(response.headers["connection"] == "close")
            #expect(closed)
            await shutdown.value
            #expect(server.stats.openConnections == 0)
        }

        @Test(arguments: [1, 2])
        func gracePeriodBoundsShutdown(eventLoops: Int) async throws {
            var configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")])
            configuration.eventLoops = eventLoops
            let server = HTTPServer(configuration: configuration, handler: testHandler, logger: .disabled)
            try server.start()
            let port = server.boundAddresses[0].port
            let client = try TestClient(port: port)
            try client.send(get("/slow?30000"))
            #expect(await eventually { server.stats.requestsTotal == 1 })

            let started = ContinuousClock.now
            await server.shutdown(gracePeriod: .milliseconds(200))
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(try await blocking { client.waitForClose() })
        }
    }
}

extension Locked {
    func set(_ value: Value) { withLock { $0 = value } }
}
