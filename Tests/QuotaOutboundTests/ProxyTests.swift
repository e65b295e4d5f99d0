import Testing
@testable import QuotaOutbound
import LoopbackSupport

/// Serialized: each test starts Python servers, and the machine is shared.
@Suite(.serialized) struct ProxyTests {
    @Test func tunnelsThroughAConnectProxy() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        let proxy = try await LoopbackServer.start("proxy")
        let client = try HTTPClient()
        defer { client.shutdown() }
        for _ in 0..<3 {
            let response = try await client.request(
                "GET", "https://127.0.0.1:\(server.port)/hello", proxy: "http://127.0.0.1:\(proxy.port)", tls: .init(caFile: tls.caFile)
            )
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        }
        // One tunnel, kept alive and reused.
        #expect(try await proxy.stats()["connects"] == 1)
    }

    @Test func refusedConnectNamesTheProxyAndItsStatus() async throws {
        let proxy = try await LoopbackServer.start("refuse")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", "https://127.0.0.1:9/hello", proxy: "http://user:hunter2@127.0.0.1:\(proxy.port)")
        }
        #expect(error?.kind == .proxy)
        #expect(error?.proxyStatus == 502)
        let message = error?.message ?? ""
        #expect(message.contains("127.0.0.1:\(proxy.port)"), "\(message)")
        #expect(message.contains("CONNECT") && message.contains("502"), "\(message)")
        #expect(!message.contains("hunter2"))
        #expect(!message.contains("user"))
    }

    @Test func unreachableProxyIsNamed() async throws {
        let port = try unusedPort()
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", "https://127.0.0.1:9/hello", proxy: "127.0.0.1:\(port)")
        }
        #expect(error?.kind == .connect)
        #expect(error?.message.contains("proxy http://127.0.0.1:\(port)") == true, "\(String(describing: error))")
    }
}
