import Testing
@testable import QuotaOutbound
import LoopbackSupport

/// Serialized: each test starts Python servers, and the machine is shared.
@Suite(.serialized) struct ConnectionTests {
    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        for _ in 0..<10 {
            _ = try await client.request("GET", server.base + "/hello")
        }
        let stats = try await server.stats()
        #expect(stats["requests"] == 10)
        // The stats request itself is the second connection.
        #expect(stats["connections"] == 2)
    }

    /// URLSession on Linux queued everything past 6 connections per host.
    @Test func sixtyFourTransfersToOneHostRunAtOnce() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient(.init(maxConcurrency: 64))
        defer { client.shutdown() }
        let tasks = (0..<64).map { _ in
            Task { try await client.request("GET", server.base + "/hold", timeoutMilliseconds: 120_000).status }
        }
        // All 64 are in the server at once: one answer time, not 64/6 of them.
        #expect(await eventually { (try? await server.stats()["active"]) == 64 })
        try await server.release()
        for task in tasks {
            #expect(try await task.value == 200)
        }
        let stats = try await server.stats()
        #expect(stats["requests"] == 64)
        #expect(stats["max_active"] == 64)
    }

    @Test func configuredConcurrencyIsTheCap() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient(.init(maxConcurrency: 4))
        defer { client.shutdown() }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask { try await client.request("GET", server.base + "/slow?ms=100", timeoutMilliseconds: 30_000).status }
            }
            for try await status in group {
                #expect(status == 200)
            }
        }
        let stats = try await server.stats()
        #expect(stats["max_active"] == 4)
        // Queued transfers reuse the four connections (plus the stats one).
        #expect(stats["connections"] == 5)
    }

    /// The regression URLSession failed: waiting must cost nothing. The loop
    /// thread's own CPU clock is measured, not the process's, because other
    /// suites run in this process at the same time.
    @Test func waitingRequestsCostNoCPU() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let tasks = (0..<16).map { _ in
            Task { try await client.request("GET", server.base + "/hold", timeoutMilliseconds: 120_000) }
        }
        #expect(await eventually { (try? await server.stats()["active"]) == 16 })
        let before = try #require(client.loopCPUTime)
        try await Task.sleep(for: .seconds(3))
        let during = try #require(client.loopCPUTime) - before
        try await server.release()
        for task in tasks {
            #expect(try await task.value.status == 200)
        }
        #expect(during < .milliseconds(50), "loop thread used \(during) of CPU while 16 requests waited")
    }
}
