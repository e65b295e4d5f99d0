/// A cheap snapshot of the server's connection counters, for tests and
/// for exporting the exporter's own health.
public struct HTTPServerStats: Sendable, Equatable {
    /// Client sockets currently open (including ones being refused).
    public var openConnections = 0
    /// Connections accepted since start.
    public var acceptedTotal = 0
    /// Connections answered 503 because `maxConnections` were open.
    public var rejectedByCapTotal = 0
    /// Connections closed at the cap to make room for a new one, because
    /// they had made least progress (a head or body trickling in, or idle).
    public var evictedByCapTotal = 0
    /// Requests handed to the handler.
    public var requestsTotal = 0
    /// Of those, the ones answered on the event-loop thread
    /// (`HTTPHandler.respondImmediately`), without a task.
    public var immediateResponsesTotal = 0
    /// TLS handshakes that failed, timed out, or whose client certificate
    /// `client_allowed_sans` refused.
    public var tlsHandshakeFailuresTotal = 0

    public init() {}
}
