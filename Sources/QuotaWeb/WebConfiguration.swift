import QuotaHTTP

/// exporter-toolkit's web configuration (`--web.config.file`), read:
/// TLS settings with their PEM bytes, the response headers to add, the
/// basic-auth users, and which files it was read from (for re-reading).
public struct WebConfiguration: Sendable, Equatable {
    /// nil: plain HTTP (no `tls_server_config`, or one that sets nothing).
    public var tls: TLSServerSettings?
    /// From `http_server_config.headers`, in file order, names as written.
    public var headers: [ResponseHeader]
    /// From `basic_auth_users`; empty: no authentication.
    public var users: [String: BcryptHash]
    /// From `rate_limit`; nil: no limit (also when `interval` is 0, as in exporter-toolkit).
    public var rateLimit: RequestRateLimiter.Settings?
    /// `http_server_config.http2` as written (default true). Accepted so
    /// that exporter-toolkit files load, but the listener speaks HTTP/1.1
    /// only and offers no ALPN, so clients use HTTP/1.1 either way.
    public var http2: Bool
    /// Every file the configuration was read from: the web config itself,
    /// then `cert_file`, `key_file`, `client_ca_file` as resolved.
    public var files: [String]

    public struct ResponseHeader: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        tls: TLSServerSettings? = nil, headers: [ResponseHeader] = [], users: [String: BcryptHash] = [:],
        rateLimit: RequestRateLimiter.Settings? = nil, http2: Bool = true, files: [String] = []
    ) {
        self.tls = tls
        self.headers = headers
        self.users = users
        self.rateLimit = rateLimit
        self.http2 = http2
        self.files = files
    }

    /// Without a `--web.config.file`: plain HTTP, no headers, no users.
    public static let none = WebConfiguration()

    /// What the log line at start and after a re-read says; no secrets.
    public var summary: String {
        "tls=\(tls == nil ? "off" : "on") basic_auth_users=\(users.count) headers=\(headers.count)"
            + (rateLimit.map { " rate_limit=\($0.burst)/\($0.interval.prometheusText)" } ?? "")
    }
}
