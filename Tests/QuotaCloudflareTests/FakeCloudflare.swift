import Foundation
import QuotaHTTP
import QuotaLogging

/// An in-process Cloudflare API on a loopback port. It checks the auth
/// headers of every request against the credential registered for the
/// account (wrong or missing credentials get Cloudflare's 403 with code
/// 10000), then answers with the reply registered for the path, or with
/// Cloudflare's 7003 "Could not route" 404 when none is.
final class FakeCloudflare: @unchecked Sendable {
    struct Reply: Sendable {
        var status: Int = 200
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        var body: String
        /// How long to wait before answering.
        var delay: Double = 0
        /// Replace `{authorization}` in the body with the request's
        /// Authorization header, to test that an echoed secret is cut out.
        var echoesAuthorization = false
    }

    enum Credential: Sendable, Equatable {
        case token(String)
        case globalKey(email: String, key: String)
    }

    static let forbidden = """
        {"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}
        """

    private let lock = NSLock()
    private var credentials: [String: Credential] = [:]
    private var replies: [String: Reply] = [:]
    private var seen: [String] = []
    private var server: HTTPServer?

    /// E.g. `http://127.0.0.1:PORT/client/v4`, for `base_url`.
    private(set) var baseURL = ""

    static func start() throws -> FakeCloudflare {
        let fake = FakeCloudflare()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")]),
            handler: ClosureHTTPHandler { [fake] request in await fake.handle(request) },
            logger: .disabled
        )
        try server.start()
        fake.server = server
        fake.baseURL = "http://127.0.0.1:\(server.boundAddresses[0].port)/client/v4"
        return fake
    }

    func stop() async {
        await server?.shutdown(gracePeriod: 1)
    }

    /// Accepts `credential` for `account`.
    func allow(_ account: String, _ credential: Credential) {
        lock.withLock { credentials[account] = credential }
    }

    /// Answers GET `/client/v4/accounts/{account}/{path}` with `reply`.
    func serve(_ account: String, _ path: String, _ reply: Reply) {
        lock.withLock { replies["/client/v4/accounts/\(account)/\(path)"] = reply }
    }

    func serve(_ account: String, _ path: String, status: Int = 200, _ body: String) {
        serve(account, path, Reply(status: status, body: body))
    }

    /// Paths requested so far, in order.
    var requests: [String] {
        lock.withLock { seen }
    }

    func requestCount(_ account: String, _ path: String) -> Int {
        requests.filter { $0 == "/client/v4/accounts/\(account)/\(path)" }.count
    }

    private func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let (expected, reply) = lock.withLock { () -> (Credential?, Reply?) in
            seen.append(request.path)
            let account = request.path.split(separator: "/").dropFirst(3).first.map(String.init) ?? ""
            return (credentials[account], replies[request.path])
        }
        guard request.method == "GET", let expected, Self.presented(request.headers) == expected else {
            return HTTPResponse(status: 403, headers: ["Content-Type": "application/json"], body: Array(Self.forbidden.utf8))
        }
        guard let reply else {
            let body = """
                {"success":false,"errors":[{"code":7003,"message":"Could not route to \(request.path), perhaps your object identifier is invalid?"}],"messages":[],"result":null}
                """
            return HTTPResponse(status: 404, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
        }
        if reply.delay > 0 {
            try? await Task.sleep(nanoseconds: UInt64(reply.delay * 1e9))
        }
        var body = reply.body
        if reply.echoesAuthorization {
            body = body.replacingOccurrences(of: "{authorization}", with: request.headers["Authorization"] ?? "")
        }
        return HTTPResponse(status: reply.status, headers: reply.headers, body: Array(body.utf8))
    }

    /// The credential a request carries, the way Cloudflare reads it.
    private static func presented(_ headers: HTTPHeaders) -> Credential? {
        if let authorization = headers["Authorization"] {
            guard authorization.hasPrefix("Bearer ") else { return nil }
            return .token(String(authorization.dropFirst("Bearer ".count)))
        }
        if let email = headers["X-Auth-Email"], let key = headers["X-Auth-Key"] {
            return .globalKey(email: email, key: key)
        }
        return nil
    }
}

/// Starts a fake, runs `body`, and always stops the fake afterwards.
func withFake(_ body: (FakeCloudflare) async throws -> Void) async throws {
    let fake = try FakeCloudflare.start()
    do {
        try await body(fake)
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}
