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

    /// The event loop's way through the gate: a credential whose bcrypt
    /// outcome is cached is decided at once, a miss (bcrypt to do) is left
    /// to `handle`; configured headers go on either answer.
    @Test func theImmediateWayDecidesOnlyCachedCredentials() async throws {
        let hash = try #require(try await externalBcryptHashes("pw").first?.hash)
        let scratch = Scratch()
        let path = scratch.write("web.yml", "basic_auth_users:\n  prometheus: \(hash)\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        let inner = ClosureHTTPHandler(immediate: { .text(200, "ready \($0.path)\n") }) { .text(200, "inner \($0.path)\n") }
        let gate = WebGate(inner, watcher: watcher)

        #expect(gate.respondImmediately(to: request("/metrics", basic("prometheus", "pw"))) == nil, "not checked yet: bcrypt is not for the loop")
        #expect(await gate.handle(request("/metrics", basic("prometheus", "pw"))).status == 200)
        let allowed = try #require(gate.respondImmediately(to: request("/metrics", basic("prometheus", "pw"))))
        #expect(allowed.status == 200)
        #expect(allowed.text == "ready /metrics\n")
        #expect(allowed.headers["X-Frame-Options"] == "deny")

        #expect(gate.respondImmediately(to: request("/metrics", basic("prometheus", "nope"))) == nil)
        #expect(await gate.handle(request("/metrics", basic("prometheus", "nope"))).status == 401)
        let denied = try #require(gate.respondImmediately(to: request("/metrics", basic("prometheus", "nope"))), "a cached failure is decided at once")
        #expect(denied.status == 401)
        #expect(denied.headers["WWW-Authenticate"] == "Basic realm=\"quota_exporter\", charset=\"UTF-8\"")
        #expect(denied.headers["X-Frame-Options"] == "deny")
        for authorization in [nil, "Basic !!!", "Bearer x"] {
            #expect(gate.respondImmediately(to: request("/metrics", authorization))?.status == 401, "no credentials need no bcrypt")
        }
    }

    /// A nil from the immediate way must not take a rate-limit token: the
    /// request then goes through `handle`, which takes its own.
    @Test func theImmediateWayTakesARateLimitTokenOnlyWhenItAnswers() async throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "rate_limit: {burst: 1, interval: 1h}\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        let notReady = WebGate(ClosureHTTPHandler { .text(200, "inner \($0.path)\n") }, watcher: watcher)
        for _ in 0..<3 {
            #expect(notReady.respondImmediately(to: request("/metrics")) == nil)
        }
        #expect(await notReady.handle(request("/metrics")).status == 200, "the one token is still there")
        #expect(await notReady.handle(request("/metrics")).status == 429)

        let other = scratch.write("other.yml", "rate_limit: {burst: 1, interval: 1h}\n")
        let ready = WebGate(
            ClosureHTTPHandler(immediate: { _ in .text(200, "ready\n") }) { _ in .text(200, "inner\n") },
            watcher: try WebConfigWatcher(path: other, logger: .disabled))
        #expect(ready.respondImmediately(to: request("/metrics"))?.status == 200)
        #expect(ready.respondImmediately(to: request("/metrics"))?.status == 429)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
