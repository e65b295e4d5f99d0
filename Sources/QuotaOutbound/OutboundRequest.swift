/// One request for `HTTPClient`: what to send, and the limits it runs under.
public struct OutboundRequest: Sendable {
    public var method: String
    /// Absolute `http://` or `https://` URL.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Whole transfer, resolve to last byte, in milliseconds.
    public var timeoutMilliseconds: Int
    /// Largest body accepted; past it the transfer is aborted, not buffered.
    public var maxResponseBytes: Int
    /// Explicit proxy URL (`http://host:port`), overriding the environment.
    /// Nil leaves curl to read `http_proxy`, `HTTPS_PROXY` and `NO_PROXY`.
    public var proxy: String?
    public var tls: TLSConfiguration

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeoutMilliseconds: Int = 10_000,
        maxResponseBytes: Int = 4 << 20,
        proxy: String? = nil,
        tls: TLSConfiguration = TLSConfiguration()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxResponseBytes = maxResponseBytes
        self.proxy = proxy
        self.tls = tls
    }
}
