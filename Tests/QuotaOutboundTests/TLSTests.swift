import Foundation
import Testing
@testable import QuotaOutbound
import LoopbackSupport

/// Serialized: each test starts Python servers, and the machine is shared.
@Suite(.serialized) struct TLSTests {
    @Test func rightCAPasses() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let response = try await client.request("GET", "https://127.0.0.1:\(server.port)/hello", tls: .init(caFile: tls.caFile))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        // Python's server speaks HTTP/1.1 only: ALPN fell back cleanly.
        #expect(response.httpVersion == 11)
    }

    @Test func wrongCAFailsInCurlsWords() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        let client = try HTTPClient()
        defer { client.shutdown() }
        for config in [TLSConfiguration(caFile: tls.wrongCAFile), TLSConfiguration()] {
            let error = await #expect(throws: OutboundError.self) {
                _ = try await client.request("GET", "https://127.0.0.1:\(server.port)/hello", tls: config)
            }
            #expect(error?.kind == .tls)
            #expect(error?.message.contains("SSL certificate problem") == true, "\(String(describing: error))")
        }
    }

    @Test func missingCAFileIsATLSError() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", "https://127.0.0.1:\(server.port)/hello", tls: .init(caFile: tls.directory + "/absent.pem"))
        }
        #expect(error?.kind == .tls)
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.aliasCert, tls.aliasKey)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let response = try await client.request("GET", "https://127.0.0.1:\(server.port)/hello", tls: .init(caFile: tls.wrongCAFile, insecureSkipVerify: true))
        #expect(response.status == 200)
    }

    @Test func serverNameIsVerifiedWhileTheURLHostIsConnected() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.aliasCert, tls.aliasKey)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let url = "https://127.0.0.1:\(server.port)/echo"
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", url, tls: .init(caFile: tls.caFile))
        }
        #expect(error?.kind == .tls)
        #expect(error?.message.contains("127.0.0.1") == true, "\(String(describing: error))")

        let response = try await client.request("GET", url, tls: .init(caFile: tls.caFile, serverName: "quota.internal"))
        #expect(response.status == 200)
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        // The upstream still sees the host it was addressed by.
        #expect((echo["headers"] as? [String: String])?["host"] == "127.0.0.1:\(server.port)")
    }

    @Test func clientCertificateForMutualTLS() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey, tls.caFile)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let url = "https://127.0.0.1:\(server.port)/hello"
        await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", url, tls: .init(caFile: tls.caFile))
        }
        let response = try await client.request("GET", url, tls: .init(caFile: tls.caFile, certFile: tls.aliasCert, keyFile: tls.aliasKey))
        #expect(response.status == 200)
    }
}
