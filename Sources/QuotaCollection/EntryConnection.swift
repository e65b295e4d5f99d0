import QuotaConfig
import QuotaOutbound

/// How one configuration entry reaches its provider: an explicit proxy and
/// TLS settings (`proxy_url`, `tls_config` in Prometheus' shape), for
/// entries behind an egress proxy or on a private CA. The default, empty,
/// leaves curl to read the proxy variables and the system CA bundle.
public struct EntryConnection: Sendable, Equatable {
    /// `http://` or `https://` proxy, as written; its user info is a secret
    /// and is never repeated in errors (outbound messages redact it).
    public var proxyURL: String?
    public var tls: TLSConfiguration

    public init(proxyURL: String? = nil, tls: TLSConfiguration = TLSConfiguration()) {
        self.proxyURL = proxyURL
        self.tls = tls
    }

    /// Reads `proxy_url` and `tls_config` of `entry`; files named in
    /// `tls_config` must be readable regular files now.
    public static func parse(_ entry: ConfigObject) throws(ConfigError) -> EntryConnection {
        var connection = EntryConnection()
        connection.proxyURL = try entry.optional("proxy_url", proxyURLType)
        if let tls = try entry.optional("tls_config", .object) {
            connection.tls = try parseTLS(tls)
        }
        return connection
    }

    private static func parseTLS(_ object: ConfigObject) throws(ConfigError) -> TLSConfiguration {
        var tls = TLSConfiguration()
        tls.caFile = try object.optional("ca_file", .readableFile)
        tls.certFile = try object.optional("cert_file", .readableFile)
        tls.keyFile = try object.optional("key_file", .readableFile)
        tls.serverName = try object.optional("server_name", serverNameType)
        tls.insecureSkipVerify = try object.optional("insecure_skip_verify", .bool) ?? false
        let prefix = object.path.isEmpty ? "" : object.path + "."
        if tls.certFile != nil, tls.keyFile == nil {
            throw ConfigError(path: prefix + "cert_file", message: "needs key_file too: a client certificate is sent with its key")
        }
        if tls.keyFile != nil, tls.certFile == nil {
            throw ConfigError(path: prefix + "key_file", message: "needs cert_file too: a client key is sent with its certificate")
        }
        return tls
    }

    /// Strict, because curl would otherwise guess: a scheme it knows for
    /// proxies, a host, and nothing after the port. The text is never
    /// quoted back, since `user:password@` may be in it.
    private static var proxyURLType: ConfigType<String> {
        ConfigType<String>.string.map { text, context throws(ConfigError) in
            guard let url = HTTPURL(string: text) else {
                throw context.error("expected an http:// or https:// proxy URL with a host, such as http://proxy.internal:3128")
            }
            guard url.path.isEmpty || url.path == "/", url.query == nil else {
                throw context.error("a proxy URL has no path or query: give only scheme, host and port")
            }
            if let userInfo = url.userInfo, userInfo.isEmpty || userInfo.hasPrefix(":") {
                throw context.error("the proxy URL's user info needs a user name before the @")
            }
            return url.absoluteString
        }
    }

    /// A DNS name (or IP literal) to verify the certificate against; curl
    /// puts it in the URL, so anything else in it would change the request.
    private static var serverNameType: ConfigType<String> {
        ConfigType<String>.nonEmptyString.map { name, context throws(ConfigError) in
            let allowed = name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
            guard allowed, name.utf8.count <= 253 else {
                throw context.error("expected a host name (letters, digits, - and .), as in the server's certificate")
            }
            return name
        }
    }
}
