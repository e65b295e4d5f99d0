/// TLS settings for one upstream, in the shape of Prometheus' `tls_config`,
/// for private Huawei sites and self-hosted ZITADEL behind a private CA.
/// Empty means curl's defaults: the system CA bundle and full verification.
public struct TLSConfiguration: Sendable, Equatable, Hashable {
    /// PEM bundle that replaces the system CAs for this upstream.
    public var caFile: String?
    /// Client certificate (PEM) for mutual TLS; needs `keyFile`.
    public var certFile: String?
    public var keyFile: String?
    /// Name to send as SNI and to verify the certificate against when it
    /// differs from the URL's host (an IP, or an internal alias).
    public var serverName: String?
    /// Turns off certificate and host-name verification: for tests and
    /// emergencies only, since it lets anyone on the path read the token.
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}
