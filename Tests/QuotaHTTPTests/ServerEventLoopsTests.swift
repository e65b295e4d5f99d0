import QuotaConcurrency
@testable import QuotaHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension ServerTests {
    /// `HTTPServerConfiguration.eventLoops`: the first loop accepts and
    /// hands each client to the loop holding fewest, which serves it for
    /// its whole life, answers given on the loop and answers posted back
    /// from a handler alike. (The cap and eviction across loops are in
    /// `ConnectionCap`, whose tests run with one loop and with two.)
    @Suite struct EventLoops {
        /// Says which thread answered: `/thread` on the loop itself (as a
        /// cached scrape is), anything else through `handle` and the pool.
        private static let handler = ClosureHTTPHandler(immediate: { request in
            request.path == "/thread" ? .text(200, "\(pthread_self())") : nil
        }) { request in
            .text(200, "handled \(request.target)")
        }

        @Test(arguments: Transport.allCases)
        func aBurstOfClientsIsSpreadEvenlyAndEachStaysOnItsLoop(transport: Transport) async throws {
            try await withServer(transport: transport, handler: Self.handler, configure: { $0.eventLoops = 2 }) { server, port in
                let answers = try await blocking {
                    // All connected before any request: the first loop
                    // accepts the burst in one wake-up, before the second
                    // has registered any of its share.
                    let clients = try (0..<8).map { _ in try transport.connect(port: port) }
                    return try clients.map { client in
                        try (0..<3).flatMap { round in
                            try client.send(get("/thread") + get("/other\(round)"))
                            return [try client.readResponse(), try client.readResponse()]
                        }
                    }
                }
                #expect(answers.allSatisfy { $0.allSatisfy { $0.status == 200 } })
                #expect(answers.allSatisfy { responses in
                    responses.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.text) == ["handled /other0", "handled /other1", "handled /other2"]
                }, "answers from handle reach the loop that owns the connection")
                let threads = answers.map { responses in Set(responses.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.text)) }
                #expect(threads.allSatisfy { $0.count == 1 }, "each connection is answered by one loop thread: \(threads)")
                let perThread = Dictionary(grouping: threads.compactMap(\.first), by: { $0 }).mapValues(\.count)
                #expect(perThread.count == 2, "two loop threads answered: \(perThread)")
                #expect(perThread.values.allSatisfy { $0 == 4 }, "four connections each: \(perThread)")
                #expect(server.stats.immediateResponsesTotal == 24)
                #expect(server.stats.requestsTotal == 48)
                #expect(server.stats.acceptedTotal == 8)
            }
        }

        /// One cap for the server: with every connection busy on either
        /// loop, the next client gets 503 from whichever loop it reaches.
        @Test func theCapCountsTheConnectionsOfEveryLoop() async throws {
            try await withServer(configure: { $0.maxConnections = 3; $0.eventLoops = 2 }) { server, port in
                let busy = try await blocking {
                    try (0..<3).map { _ in
                        let client = try TestClient(port: port)
                        try client.send(get("/slow?1500"))
                        return client
                    }
                }
                #expect(await eventually { server.stats.requestsTotal == 3 })
                let refused = try await blocking {
                    let client = try TestClient(port: port)
                    return try client.readResponse()
                }
                #expect(refused.status == 503)
                #expect(server.stats.rejectedByCapTotal == 1)
                #expect(server.stats.evictedByCapTotal == 0)
                let texts = try await blocking { try busy.map { try $0.readResponse().text } }
                #expect(texts == ["slow done", "slow done", "slow done"])
                #expect(await eventually { server.stats.openConnections == 3 })
            }
        }

        /// The first loop's connections are all busy and the second holds
        /// an idle one: the new client reaches the second loop and takes
        /// the idle one's place instead of getting 503.
        @Test func aClientAtTheCapTakesThePlaceOfAnIdleConnectionOnAnotherLoop() async throws {
            try await withServer(configure: { $0.maxConnections = 2; $0.eventLoops = 2 }) { server, port in
                let (busy, idle) = try await blocking {
                    let busy = try TestClient(port: port)  // the first loop's
                    let idle = try TestClient(port: port)  // the second loop's
                    try idle.send(get("/idle"))
                    _ = try idle.readResponse()
                    try busy.send(get("/slow?1500"))
                    return (busy, idle)
                }
                #expect(await eventually { server.stats.requestsTotal == 2 })
                let response = try await blocking {
                    let client = try TestClient(port: port)
                    try client.send(get("/new"))
                    return try client.readResponse()
                }
                #expect(response.text == "hello /new")
                #expect(try await blocking { idle.bytesUntilClose() } == [])
                #expect(try await blocking { try busy.readResponse().text } == "slow done")
                #expect(server.stats.evictedByCapTotal == 1)
                #expect(server.stats.rejectedByCapTotal == 0)
            }
        }

        @Test func everyLoopThreadStopsAtShutdown() async throws {
            var configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")])
            configuration.eventLoops = 3
            let server = HTTPServer(configuration: configuration, handler: testHandler, logger: .disabled)
            try server.start()
            #expect(await eventually { server.loopThreadIDs.count == 3 })
            let threads = server.loopThreadIDs
            let port = server.boundAddresses[0].port
            let clients = try await blocking { try (0..<3).map { _ in try TestClient(port: port) } }
            #expect(await eventually { server.stats.openConnections == 3 })
            await server.shutdown(gracePeriod: .seconds(5))
            #expect(try await blocking { clients.allSatisfy { $0.waitForClose() } })
            #expect(server.stats.openConnections == 0)
            let pid = getpid()
            #expect(await eventually { threads.allSatisfy { access("/proc/\(pid)/task/\($0)", F_OK) != 0 } }, "no loop thread is left")
        }
    }
}
