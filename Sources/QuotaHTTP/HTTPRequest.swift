/// A parsed HTTP/1.x request as handed to a handler: the head is validated,
/// the body is complete (bounded by the server's body cap).
public struct HTTPRequest: Sendable {
    /// The method token as sent, e.g. `GET`.
    public var method: String
    /// The request target as sent, e.g. `/metrics?x=1`.
    public var target: String
    /// `target` up to the first `?`, percent-decoding not applied.
    public var path: String
    /// What follows the first `?`, if any.
    public var query: String?
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The peer as `ip:port` (`[ip]:port` for IPv6), for logs.
    public var remoteAddress: String

    public init(
        method: String,
        target: String,
        version: String = "HTTP/1.1",
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        remoteAddress: String = ""
    ) {
        self.method = method
        self.target = target
        // By byte: a search by Character walked grapheme clusters, 3 000
        // instructions for `/metrics`. `?` is ASCII, so its index is a
        // Character boundary too.
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = String(target[..<mark])
            self.query = String(target[target.utf8.index(after: mark)...])
        } else {
            self.path = target
            self.query = nil
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}
