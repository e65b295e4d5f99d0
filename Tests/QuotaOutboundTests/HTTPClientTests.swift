import Foundation
import Testing
@testable import QuotaOutbound
import LoopbackSupport

/// Serialized: each test starts Python servers, and the machine is shared.
@Suite(.serialized) struct HTTPClientTests {
    @Test func getsBodyStatusAndHeaders() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let response = try await client.request("GET", server.base + "/hello")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        #expect(response.header("content-length") == "5")
        #expect(response.httpVersion == 11)
        #expect(HTTPClient.curlVersion.contains("libcurl/"))
    }

    @Test func sendsMethodHeadersAndBody() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient(.init(userAgent: "quota-test"))
        defer { client.shutdown() }
        let body = Array(String(repeating: "payload-", count: 400).utf8)  // over 1 KiB: no Expect: 100-continue wait
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let response = try await client.request(method, server.base + "/echo", headers: [("X-Token-Id", "abc"), ("Content-Type", "text/plain")], body: body)
            let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let headers = try #require(echo["headers"] as? [String: String])
            #expect(echo["method"] as? String == method)
            #expect(echo["body"] as? String == String(decoding: body, as: UTF8.self))
            #expect(headers["x-token-id"] == "abc")
            #expect(headers["user-agent"] == "quota-test")
            #expect(headers["expect"] == nil)
            #expect(response.header("X-Echo") == "yes")
        }
        let empty = try await client.request("POST", server.base + "/echo")
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(empty.body)) as? [String: Any])
        #expect(echo["method"] as? String == "POST")
        #expect((echo["headers"] as? [String: String])?["content-length"] == "0")
    }

    @Test func headHasNoBody() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        // The cap is on bodies received: a HEAD's Content-Length is not one.
        let response = try await client.request("HEAD", server.base + "/big?bytes=5000", maxResponseBytes: 1000)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.header("Content-Length") == "5000")
    }

    @Test func errorStatusesAreResponsesNotErrors() async throws {
        let server = try await LoopbackServer.start("http")
        let client = try HTTPClient()
        defer { client.shutdown() }
        let response = try await client.request("GET", server.base + "/status/429?retry=12")
        #expect(response.status == 429)
        #expect(response.header("retry-after") == "12")
    }

    @Test func rejectsHeaderInjectionWithoutEchoingTheValue() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", "http://127.0.0.1:9/", headers: [("Authorization", "Bearer secret\r\nX-Evil: 1")])
        }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("secret") == false)
        #expect(error?.message.contains("Authorization") == true)
    }

    @Test func rejectsOtherSchemesAndBadURLs() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        for url in ["file:///etc/passwd", "not a url", "ftp://127.0.0.1/"] {
            let error = await #expect(throws: OutboundError.self) { _ = try await client.request("GET", url) }
            #expect(error?.kind == .invalidRequest, "\(url)")
        }
    }

    @Test func refusedConnectionSaysSoInCurlsWords() async throws {
        let port = try unusedPort()
        let client = try HTTPClient()
        defer { client.shutdown() }
        let error = await #expect(throws: OutboundError.self) {
            _ = try await client.request("GET", "http://127.0.0.1:\(port)/", proxy: "")
        }
        #expect(error?.kind == .connect)
        #expect(error?.message.contains("127.0.0.1") == true)
        #expect(error?.message.contains("onnect") == true)
    }

    @Test func requestsAfterShutdownFail() async throws {
        let client = try HTTPClient()
        client.shutdown()
        let error = await #expect(throws: OutboundError.self) { _ = try await client.request("GET", "http://127.0.0.1:9/") }
        #expect(error?.kind == .unavailable)
        #expect(client.loopCPUTime == nil)
    }
}

/// A port nothing listens on: bound, then closed.
func unusedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw LoopbackError(message: "bind") }
    return Int(UInt16(bigEndian: address.sin_port))
}
