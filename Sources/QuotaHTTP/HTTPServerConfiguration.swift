import CQuotaSystem

/// Limits and timeouts for `HTTPServer`. Defaults suit a Prometheus
/// exporter: small requests, few clients, scrapes that may take seconds.
public struct HTTPServerConfiguration: Sendable {
    public var listenAddresses: [ListenAddress]
    /// Request line plus headers; larger heads get 431.
    public var maxHeadBytes: Int
    /// Decoded request body; larger bodies get 413.
    public var maxBodyBytes: Int
    /// Time to receive a complete head, from its first byte (or from accept).
    public var headTimeout: Duration
    /// Time to receive the whole body once the head is in.
    public var bodyTimeout: Duration
    /// How long a keep-alive connection may sit without a request.
    public var idleTimeout: Duration
    /// How long a response write may make no progress (peer not reading).
    public var writeTimeout: Duration
    /// Open connections served at once. At the cap a new client takes the
    /// place of the connection that has made least progress (a TLS
    /// handshake or a head still arriving, else the longest-idle keep-alive
    /// one, else a body still arriving); only when every connection is busy
    /// with a request does it get 503.
    public var maxConnections: Int
    /// I/O threads. The first accepts and hands each client to the one
    /// holding fewest, which serves it until it closes; `maxConnections`
    /// is one cap over all of them. More than one pays off only when one
    /// thread cannot keep up with many concurrent connections: answering
    /// a single keep-alive connection is never spread.
    public var eventLoops: Int
    /// Requests served on one connection before it is closed; nil: no limit.
    public var maxRequestsPerConnection: Int?
    /// TLS for every listen address; nil: plain HTTP. `HTTPServer.replaceTLSContext`
    /// swaps it for new connections (rotated certificates).
    public var tls: TLSServerContext?
    /// TLS only: time from accept to a completed handshake. The head
    /// timeout starts after it.
    public var tlsHandshakeTimeout: Duration

    public init(
        listenAddresses: [ListenAddress],
        maxHeadBytes: Int = 8192,
        maxBodyBytes: Int = 1 << 20,
        headTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(30),
        maxConnections: Int = 1024,
        maxRequestsPerConnection: Int? = nil,
        eventLoops: Int = 1,
        tls: TLSServerContext? = nil,
        tlsHandshakeTimeout: Duration = .seconds(10)
    ) {
        self.listenAddresses = listenAddresses
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.eventLoops = eventLoops
        self.tls = tls
        self.tlsHandshakeTimeout = tlsHandshakeTimeout
    }

    /// CPUs this process may run on (its affinity mask: `taskset`, cpusets
    /// and Kubernetes' static CPU manager count; a CFS quota does not), for
    /// choosing `eventLoops`.
    public static func availableCPUs() -> Int {
        Int(cqs_available_cpus())
    }
}
