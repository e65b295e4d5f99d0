import Foundation
import Testing
@testable import QuotaOutbound
import LoopbackSupport

/// Whether the system python has the `h2` package (Debian's python3-h2),
/// which the HTTP/2 loopback server needs; `.ci/run` installs it.
let http2ServerAvailable: Bool = {
    guard let python = try? Spawned(["/usr/bin/python3", "-c", "import h2.connection"]) else { return false }
    return python.closeInputAndWait() == 0
}()

@Suite(.serialized) struct HTTP2Tests {
    @Test(.enabled(if: http2ServerAvailable, "needs python3-h2 for the HTTP/2 server"))
    func concurrentRequestsShareOneMultiplexedConnection() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("h2", tls.serverCert, tls.serverKey)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let url = "https://127.0.0.1:\(server.port)/"
        let responses = try await withThrowingTaskGroup(of: OutboundResponse.self) { group in
            for _ in 0..<10 {
                group.addTask { try await client.request("GET", url, tls: .init(caFile: tls.caFile)) }
            }
            var all: [OutboundResponse] = []
            for try await response in group { all.append(response) }
            return all
        }
        #expect(responses.count == 10)
        for response in responses {
            #expect(response.status == 200)
            #expect(response.httpVersion == 20)
            #expect(String(decoding: response.body, as: UTF8.self) == "h2")
            // One connection for all ten: streams, not connections.
            #expect(response.header("x-connections") == "1")
        }
        let mostStreams = responses.compactMap { $0.header("x-max-streams").flatMap(Int.init) }.max() ?? 0
        #expect(mostStreams > 1, "streams were open at the same time")
    }
}
