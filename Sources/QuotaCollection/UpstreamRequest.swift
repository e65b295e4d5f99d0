import QuotaConfig

/// A request a collector asks the shared client to send.
public struct UpstreamRequest: Sendable {
    public var method: String
    public var url: HTTPURL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Requests with the same scope share one `Retry-After` block: for
    /// Cloudflare that is one API token, whose limit spans all its accounts.
    /// Build it from a fingerprint, never from the secret itself.
    public var rateLimitScope: String
    /// Whether a 5xx or a dropped connection may be retried. Defaults to
    /// true for methods that are idempotent by definition.
    public var retryable: Bool

    public init(
        method: String = "GET",
        url: HTTPURL,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        rateLimitScope: String,
        retryable: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.rateLimitScope = rateLimitScope
        self.retryable = retryable ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)
    }
}

/// A complete upstream answer, any status. Header names are lowercased.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body as text for an error message, cut short so that one huge
    /// error page cannot flood the log.
    public var bodyExcerpt: String {
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        return body.count > 512 ? text + "…" : text
    }

    /// The excerpt with `secrets` replaced in the whole body *before* it is
    /// cut, so a secret straddling the cut cannot survive as a prefix.
    public func bodyExcerpt(redacting secrets: [String]) -> String {
        let text = String(decoding: body, as: UTF8.self).redacting(secrets)
        return text.utf8.count > 512 ? String(decoding: text.utf8.prefix(512), as: UTF8.self) + "…" : text
    }
}
