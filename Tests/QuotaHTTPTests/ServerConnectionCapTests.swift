import Foundation
import QuotaConcurrency
import Testing
import QuotaHTTP

extension ServerTests {
    /// At `maxConnections`, a new client takes the place of the connection
    /// that has made least progress, so slow or idle clients filling every
    /// slot cannot lock Prometheus out; 503 is left for when every
    /// connection is busy with a request. Each test runs with one event
    /// loop and with two: the cap and the choice of whom to evict are the
    /// server's, wherever the connections live.
    @Suite struct ConnectionCap {
        @Test(arguments: Transport.allCases, [1, 2])
        func answers503OnlyWhenEveryConnectionIsBusy(transport: Transport, eventLoops: Int) async throws {
            try await withServer(transport: transport, configure: { $0.maxConnections = 2; $0.eventLoops = eventLoops }) { server, port in
                let (first, second) = try await blocking {
                    let first = try transport.connect(port: port)
                    let second = try transport.connect(port: port)
                    try first.send(get("/slow?1500"))
                    try second.send(get("/slow?1500"))
                    return (first, second)
                }
                #expect(await eventually { server.stats.requestsTotal == 2 })

                let (refused, closed) = try await blocking {
                    let third = try transport.connect(port: port)
                    return (try third.readResponse(), third.waitForClose())
                }
                #expect(refused.status == 503)
                #expect(refused.headers["connection"] == "close")
                #expect(closed)
                #expect(server.stats.rejectedByCapTotal == 1)
                #expect(server.stats.evictedByCapTotal == 0)

                // The refused socket is gone; the two busy ones are answered.
                #expect(await eventually { server.stats.openConnections == 2 })
                let answers = try await blocking { (try first.readResponse(), try second.readResponse()) }
                #expect(answers.0.text == "slow done")
                #expect(answers.1.text == "slow done")
            }
        }

        /// Refused sockets linger (up to `Connection.lingerTimeout`) after
        /// their 503; at most 64 do so at once for the whole server, past
        /// that a new client is closed without an answer, on one loop or two.
        @Test(arguments: [1, 2])
        func refusalsLingerUpToOneBoundOverAllLoops(eventLoops: Int) async throws {
            try await withServer(transport: .plain, configure: { $0.maxConnections = 1; $0.eventLoops = eventLoops }) { server, port in
                let busy = try await blocking {
                    let busy = try Transport.plain.connect(port: port)
                    try busy.send(get("/slow?4000"))
                    return busy
                }
                #expect(await eventually { server.stats.requestsTotal == 1 })

                // All open at once, none closing: every refusal lingers.
                let endings = try await blocking {
                    let clients = try (0..<65).map { _ in try Transport.plain.connect(port: port) }
                    return clients.map { $0.bytesUntilClose() }
                }
                let answered = endings.filter { $0.map { String(decoding: $0, as: UTF8.self).hasPrefix("HTTP/1.1 503 ") } ?? false }
                let closedBare = endings.filter { $0 == [] }
                #expect(answered.count == 64)
                #expect(closedBare.count == 1)
                #expect(server.stats.rejectedByCapTotal == 65)
                let answer = try await blocking { try busy.readResponse() }
                #expect(answer.text == "slow done")
            }
        }

        @Test(arguments: Transport.allCases, [1, 2])
        func freeingASlotLetsTheNextClientIn(transport: Transport, eventLoops: Int) async throws {
            try await withServer(transport: transport, configure: { $0.maxConnections = 1; $0.eventLoops = eventLoops }) { server, port in
                var holder: (any ClientConnection)? = try await blocking { try transport.connect(port: port) }
                #expect(await eventually { server.stats.openConnections == 1 })
                holder = nil
                #expect(await eventually { server.stats.openConnections == 0 })
                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/"))
                    return try client.readResponse()
                }
                #expect(holder == nil)
                #expect(response.status == 200)
                #expect(server.stats.rejectedByCapTotal == 0)
                #expect(server.stats.evictedByCapTotal == 0)
            }
        }

        @Test(arguments: Transport.allCases, [1, 2])
        func aHeadStillArrivingMakesRoomBeforeAnIdleConnection(transport: Transport, eventLoops: Int) async throws {
            try await withServer(transport: transport, configure: { $0.maxConnections = 2; $0.eventLoops = eventLoops }) { server, port in
                let idle = try await blocking {
                    let idle = try transport.connect(port: port)
                    try idle.send(get("/first"))
                    _ = try idle.readResponse()
                    return idle
                }
                let trickling = try await blocking {
                    let trickling = try transport.connect(port: port)
                    try trickling.send("GET / HTTP/1.1\r\nHo")
                    return trickling
                }
                #expect(await eventually { server.stats.openConnections == 2 })

                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/new"))
                    return try client.readResponse()
                }
                #expect(response.text == "hello /new")
                #expect(try await blocking { trickling.bytesUntilClose() } == [])
                let fromIdle = try await blocking {
                    try idle.send(get("/still-here"))
                    return try idle.readResponse()
                }
                #expect(fromIdle.text == "hello /still-here")
                #expect(server.stats.evictedByCapTotal == 1)
                #expect(server.stats.rejectedByCapTotal == 0)
            }
        }

        @Test(arguments: Transport.allCases, [1, 2])
        func theLongestIdleConnectionGoesWhenNoHeadIsArriving(transport: Transport, eventLoops: Int) async throws {
            try await withServer(transport: transport, configure: { $0.maxConnections = 2; $0.eventLoops = eventLoops }) { server, port in
                let (older, newer) = try await blocking {
                    let older = try transport.connect(port: port)
                    let newer = try transport.connect(port: port)
                    try older.send(get("/older"))
                    _ = try older.readResponse()
                    try newer.send(get("/newer"))
                    _ = try newer.readResponse()
                    return (older, newer)
                }

                let response = try await blocking {
                    let client = try transport.connect(port: port)
                    try client.send(get("/new"))
                    return try client.readResponse()
                }
                #expect(response.text == "hello /new")
                #expect(try await blocking { older.bytesUntilClose() } == [])
                #expect(try await blocking { newer.hasNothingToRead() })
                #expect(server.stats.evictedByCapTotal == 1)
            }
        }

        /// The attack from issue 10: more clients trickling header bytes
        /// than the cap, renewing every connection the server closes, while
        /// Prometheus scrapes once a second. Every scrape must get 200.
        @Test(arguments: Transport.allCases, [1, 2])
        func everyScrapeGetsInPastSixHundredTricklingClients(transport: Transport, eventLoops: Int) async throws {
            raiseOpenFileLimit()
            try await withServer(transport: transport, configure: { $0.maxConnections = 512; $0.eventLoops = eventLoops }) { server, port in
                let attacker = Trickler(transport: transport, port: port, count: 600)
                try await blocking { try attacker.connectAll() }
                #expect(await eventually { server.stats.openConnections == 512 })
                let trickling = Task { try await blocking { try attacker.trickle(rounds: 70, pause: .milliseconds(100)) } }

                var statuses: [Int] = []
                for index in 0..<5 {
                    try await Task.sleep(for: .seconds(1))
                    let status = try await blocking {
                        let client = try transport.connect(port: port)
                        try client.send(get("/metrics?scrape=\(index)"))
                        return try client.readResponse().status
                    }
                    statuses.append(status)
                }
                attacker.stop()
                let renewed = try await trickling.value
                #expect(statuses == [200, 200, 200, 200, 200])
                #expect(renewed > 0, "the server closed trickling clients and they came back")
                #expect(server.stats.evictedByCapTotal >= 88)
                #expect(server.stats.rejectedByCapTotal == 0)
            }
        }

        /// The other half: more idle keep-alive clients than the cap.
        @Test(arguments: Transport.allCases, [1, 2])
        func everyScrapeGetsInPastMoreIdleClientsThanTheCap(transport: Transport, eventLoops: Int) async throws {
            raiseOpenFileLimit()
            try await withServer(transport: transport, configure: { $0.maxConnections = 512; $0.eventLoops = eventLoops }) { server, port in
                let idle = try await blocking {
                    try (0..<520).map { index in
                        let client = try transport.connect(port: port)
                        try client.send(get("/idle\(index)"))
                        _ = try client.readResponse()
                        return client
                    }
                }
                #expect(await eventually { server.stats.openConnections == 512 })
                for index in 0..<3 {
                    let status = try await blocking {
                        let client = try transport.connect(port: port)
                        try client.send(get("/metrics?scrape=\(index)"))
                        return try client.readResponse().status
                    }
                    #expect(status == 200)
                }
                #expect(server.stats.rejectedByCapTotal == 0)
                // The most recent idle client was not the one to go.
                let last = try await blocking { [client = idle[519]] in
                    try client.send(get("/last"))
                    return try client.readResponse()
                }
                #expect(last.text == "hello /last")
            }
        }
    }
}

/// Many clients sending a request head one byte at a time and never
/// finishing it, reconnecting whenever the server drops one.
final class Trickler: @unchecked Sendable {
    private static let prefix = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: "
    private let transport: Transport
    private let port: UInt16
    private let count: Int
    private let stopped = Locked(false)
    /// Touched only by the thread running `connectAll` and then `trickle`.
    private var clients: [any ClientConnection] = []

    init(transport: Transport, port: UInt16, count: Int) {
        self.transport = transport
        self.port = port
        self.count = count
    }

    func connectAll() throws {
        clients = try (0..<count).map { _ in try open() }
    }

    func stop() {
        stopped.withLock { $0 = true }
    }

    /// Sends one more byte on every connection per round, for at most
    /// `rounds` rounds or until stopped; returns how many connections had
    /// to be renewed.
    func trickle(rounds: Int, pause: Duration) throws -> Int {
        var renewed = 0
        for _ in 0..<rounds where !stopped.current {
            for index in clients.indices {
                do {
                    try clients[index].send("a")
                } catch {
                    clients[index] = try open()
                    renewed += 1
                }
            }
            Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
        }
        clients = []
        return renewed
    }

    private func open() throws -> any ClientConnection {
        let client = try transport.connect(port: port)
        try client.send(Self.prefix)
        return client
    }
}
