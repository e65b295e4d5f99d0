import QuotaHTTP

/// An HTTP route a provider serves on the exporter's own listener, e.g.
/// the receiver ZITADEL posts its usage notifications to.
public struct ProviderRoute: Sendable {
    public var path: String
    /// When true, `path` matches itself and everything below it (a secret
    /// token can then travel as the last path segment).
    public var matchesSubpaths: Bool
    public var methods: [String]
    /// When true, the route checks a credential of its own (a secret in
    /// the path) and basic auth from the web config does not apply: a
    /// sender such as ZITADEL can send nothing but what its URL holds.
    public var authenticatesItself: Bool
    public var handler: @Sendable (HTTPRequest) async -> HTTPResponse

    public init(
        path: String, matchesSubpaths: Bool = false, methods: [String], authenticatesItself: Bool = false,
        handler: @escaping @Sendable (HTTPRequest) async -> HTTPResponse
    ) {
        self.path = path
        self.matchesSubpaths = matchesSubpaths
        self.methods = methods
        self.authenticatesItself = authenticatesItself
        self.handler = handler
    }
}
