/// Why a request produced no response, in words a user can act on.
///
/// `message` is curl's own error text (`CURLOPT_ERRORBUFFER`), so resolve,
/// connect, proxy, TLS and timeout failures read differently; `kind` is the
/// same distinction for code that has to branch on it. Neither ever holds a
/// header value, a body, or a proxy password.
public struct OutboundError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The request itself is unusable: bad URL, unsupported scheme, CR/LF in a header.
        case invalidRequest = "invalid_request"
        case resolve
        case connect
        /// The proxy could not be resolved or reached, or refused the CONNECT tunnel.
        case proxy
        case tls
        case timeout
        /// The response was larger than the request's cap; the transfer was aborted.
        case tooLarge = "too_large"
        /// The connection broke or the server answered something that is not HTTP.
        case transport
        case cancelled
        /// libcurl could not be loaded, or the client was shut down.
        case unavailable
    }

    public let kind: Kind
    public let message: String
    /// The `CURLcode`, when curl reported the failure; 0 otherwise.
    public let curlCode: Int32
    /// The proxy's answer to CONNECT when it refused the tunnel, else 0.
    public let proxyStatus: Int

    public init(_ kind: Kind, _ message: String, curlCode: Int32 = 0, proxyStatus: Int = 0) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
        self.proxyStatus = proxyStatus
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
