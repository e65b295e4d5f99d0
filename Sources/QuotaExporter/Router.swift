import QuotaHTTP

/// Maps paths and methods to handlers. An unknown path is a 404; a known
/// path with a method it does not serve is a 405 naming what it does
/// serve in `Allow`. `HEAD` is served wherever `GET` is (the server drops
/// the body).
struct Router: HTTPHandler {
    struct Route: Sendable {
        var path: String
        /// When true, `path` matches itself and everything below it.
        var matchesSubpaths: Bool
        var methods: [String]
        /// The web config's basic auth does not apply: the route checks a
        /// credential of its own (ZITADEL's receiver) or tells nothing (probes).
        var skipsBasicAuth = false
        var handler: @Sendable (HTTPRequest) async -> HTTPResponse
        /// The answer when it is ready at once (see `HTTPHandler.respondImmediately`).
        var immediate: (@Sendable (HTTPRequest) -> HTTPResponse?)?
    }

    private(set) var routes: [Route] = []

    mutating func add(
        _ path: String, methods: [String], subpaths: Bool = false, skipsBasicAuth: Bool = false,
        immediate: (@Sendable (HTTPRequest) -> HTTPResponse?)? = nil,
        _ handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse
    ) {
        routes.append(Route(
            path: path, matchesSubpaths: subpaths, methods: methods, skipsBasicAuth: skipsBasicAuth, handler: handler, immediate: immediate))
    }

    /// Whether the route serving `path` is exempt from basic auth.
    func skipsBasicAuth(_ path: String) -> Bool {
        match(path)?.skipsBasicAuth ?? false
    }

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard let route = match(request.path) else {
            return .text(404, "Not found: \(request.path)\n")
        }
        let method = request.method == "HEAD" && route.methods.contains("GET") ? "GET" : request.method
        guard route.methods.contains(method) else {
            var allowed = route.methods
            if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
            return .text(405, "Method \(request.method) not allowed; use \(allowed.joined(separator: ", "))\n", headers: ["Allow": allowed.joined(separator: ", ")])
        }
        return await route.handler(request)
    }

    /// Only routes that offer it, for a method they serve; 404s and 405s
    /// take the ordinary way (they are rare and cheap either way).
    func respondImmediately(to request: HTTPRequest) -> HTTPResponse? {
        guard let route = match(request.path), let immediate = route.immediate else { return nil }
        let method = request.method == "HEAD" && route.methods.contains("GET") ? "GET" : request.method
        guard route.methods.contains(method) else { return nil }
        return immediate(request)
    }

    private func match(_ path: String) -> Route? {
        if let exact = routes.first(where: { $0.path == path }) {
            return exact
        }
        return routes.first { route in
            route.matchesSubpaths && path.hasPrefix(route.path.hasSuffix("/") ? route.path : route.path + "/")
        }
    }
}
