import QuotaHTTP

/// The web config's part of every request: basic auth in front of the
/// exporter's handler, the configured headers on every answer (a 401 and
/// a 404 included, as exporter-toolkit sets them before anything else).
///
/// `skipsBasicAuth` names the paths let through without basic auth: those
/// that carry their own credential (ZITADEL's receiver, whose URL holds a
/// per-instance secret, because ZITADEL can send nothing but what its
/// callUrl holds) and those that tell nothing (the health probes).
public struct WebGate: HTTPHandler {
    public static let realm = "quota_exporter"

    private let inner: any HTTPHandler
    private let watcher: WebConfigWatcher
    private let skipsBasicAuth: @Sendable (String) -> Bool

    public init(_ inner: any HTTPHandler, watcher: WebConfigWatcher, skipsBasicAuth: @escaping @Sendable (_ path: String) -> Bool = { _ in false }) {
        self.inner = inner
        self.watcher = watcher
        self.skipsBasicAuth = skipsBasicAuth
    }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let active = watcher.active
        var response: HTTPResponse
        if let limiter = active.limiter, !limiter.allow() {
            response = Self.tooManyRequests
        } else if let authenticator = active.authenticator, !skipsBasicAuth(request.path),
           await authenticator.check(authorization: request.headers["Authorization"]) != .allowed {
            response = Self.unauthorized
        } else {
            response = await inner.handle(request)
        }
        return Self.withConfiguredHeaders(response, active.configuration)
    }

    /// The gate on the event loop: decides only what it can decide at
    /// once (a credential whose bcrypt outcome is cached; a miss needs
    /// bcrypt and returns nil), and takes a rate-limit token only once the
    /// answer is certain, so that a nil leaves `handle` to decide afresh.
    public func respondImmediately(to request: HTTPRequest) -> HTTPResponse? {
        let active = watcher.active
        var denied = false
        if let authenticator = active.authenticator, !skipsBasicAuth(request.path) {
            guard let outcome = authenticator.cachedOutcome(authorization: request.headers["Authorization"]) else { return nil }
            denied = outcome != .allowed
        }
        var response: HTTPResponse
        if denied {
            response = Self.unauthorized
        } else {
            guard let inner = inner.respondImmediately(to: request) else { return nil }
            response = inner
        }
        if let limiter = active.limiter, !limiter.allow() {
            response = Self.tooManyRequests
        }
        return Self.withConfiguredHeaders(response, active.configuration)
    }

    /// `http_server_config.headers`, on every answer the gate gives or passes on.
    private static func withConfiguredHeaders(_ response: HTTPResponse, _ configuration: WebConfiguration) -> HTTPResponse {
        var response = response
        for header in configuration.headers {
            response.headers.set(header.name, header.value)
        }
        return response
    }

    private static var tooManyRequests: HTTPResponse { .text(429, "Too Many Requests\n") }

    private static var unauthorized: HTTPResponse {
        .text(401, "Unauthorized\n", headers: ["WWW-Authenticate": "Basic realm=\"\(realm)\", charset=\"UTF-8\""])
    }
}
