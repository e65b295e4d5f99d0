import Testing
@testable import QuotaOutbound
import LoopbackSupport

/// Serialized: each test starts Python servers, and the machine is shared.
@Suite(.serialized) struct LimitTests {
    @Test func declaredLengthOverTheCapFailsBeforeTheBody() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", server.base + "/big?bytes=2000", maxResponseBytes: 1000)
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.message == "response larger than 1000 bytes")
        let fits = try await client.request("GET", server.base + "/big?bytes=1000", maxResponseBytes: 1000)
        #expect(fits.body.count == 1000)
    }

    @Test func streamedBodyOverTheCapIsAborted() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", server.base + "/stream?bytes=50000000", maxResponseBytes: 100_000)
        }
        #expect(error?.kind == .tooLarge)
        let fits = try await client.request("GET", server.base + "/stream?bytes=100000", maxResponseBytes: 100_000)
        #expect(fits.body.count == 100_000)
    }

    @Test func timeoutIsItsOwnKindWithCurlsWords() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", server.base + "/slow?ms=5000", timeoutMilliseconds: 300)
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("timed out") == true)
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let task = Task { try await client.request("GET", server.base + "/slow?ms=20000", timeoutMilliseconds: 60_000) }
        #expect(await eventually { (try? await server.stats()["active"]) == 1 })
        task.cancel()
        let result = await task.result
        #expect(throws: OutboundError(.cancelled, "request cancelled")) { try result.get() }
        // The loop goes on serving others.
        let after = try await client.request("GET", server.base + "/hello")
        #expect(after.status == 200)
    }

    @Test func alreadyCancelledTaskNeverSends() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.request("GET", server.base + "/hello")
        }
        let result = await task.result
        #expect(throws: OutboundError.self) { try result.get() }
        #expect(try await server.stats()["requests"] == 0)
    }

    @Test func shutdownFailsRequestsInFlight() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        let task = Task { try await client.request("GET", server.base + "/slow?ms=20000", timeoutMilliseconds: 60_000) }
        #expect(await eventually { (try? await server.stats()["active"]) == 1 })
        client.shutdown()
        let result = await task.result
        #expect(throws: OutboundError(.unavailable, "HTTP client shut down")) { try result.get() }
    }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func eventually(within seconds: Int = 60, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
