import QuotaCrypto
import QuotaHTTP
import Testing
@testable import QuotaWeb

@Suite struct WebGateTests {
    private func gate(_ yaml: String, exempt: @escaping @Sendable (String) -> Bool = { _ in false }) throws -> (WebGate, Scratch) {
        let scratch = Scratch()
        let path = scratch.write("web.yml", yaml)
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        let inner = ClosureHTTPHandler { request in
            request.path == "/missing" ? .text(404, "no\n") : .text(200, "inner \(request.path)\n", headers: ["X-Frame-Options": "sameorigin"])
        }
        return (WebGate(inner, watcher: watcher, skipsBasicAuth: exempt), scratch)
    }

    private func request(_ path: String, _ authorization: String? = nil) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let authorization { headers.add("Authorization", authorization) }
        return HTTPRequest(method: "GET", target: path, headers: headers)
    }

    private func basic(_ user: String, _ password: String) -> String {
        "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
    }

    @Test func withoutUsersEverythingPasses() async throws {
        let (gate, _) = try gate("http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n")
        let response = await gate.handle(request("/metrics"))
        #expect(response.status == 200)
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
    }

    @Test func missingOrWrongCredentialsGet401WithAChallenge() async throws {
        let hash = try #require(try await externalBcryptHashes("pw").first?.hash)
        let (gate, _) = try gate("basic_auth_users:\n  prometheus: \(hash)\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        for authorization in [nil, basic("prometheus", "nope"), basic("other", "pw"), "Basic !!!", "Bearer x"] {
            let denied = await gate.handle(request("/metrics", authorization))
            #expect(denied.status == 401, "\(authorization ?? "none")")
            #expect(denied.headers["WWW-Authenticate"] == "Basic realm=\"quota_exporter\", charset=\"UTF-8\"")
            #expect(denied.headers["X-Frame-Options"] == "deny", "configured headers go on a 401 too")
        }
        let allowed = await gate.handle(request("/metrics", basic("prometheus", "pw")))
        #expect(allowed.status == 200)
        #expect(allowed.text == "inner /metrics\n")
        #expect(allowed.headers["X-Frame-Options"] == "deny", "the configured value replaces the handler's")
        #expect(allowed.headers.values("X-Frame-Options").count == 1)
        let missing = await gate.handle(request("/missing", basic("prometheus", "pw")))
        #expect(missing.status == 404)
        #expect(missing.headers["X-Frame-Options"] == "deny")
    }

    /// Paths that carry their own credential (ZITADEL's receiver) pass
    /// without basic auth; everything else still needs it.
    @Test func selfAuthenticatingPathsPass() async throws {
        let hash = try #require(try await externalBcryptHashes("pw").first?.hash)
        let (gate, _) = try gate("basic_auth_users:\n  prometheus: \(hash)\n", exempt: { $0.hasPrefix("/zitadel/notifications/") })
        #expect(await gate.handle(request("/zitadel/notifications/1/secret")).status == 200)
        #expect(await gate.handle(request("/zitadel/notifications")).status == 401)
        #expect(await gate.handle(request("/")).status == 401)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
