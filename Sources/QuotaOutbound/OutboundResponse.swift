/// A complete answer, any status.
public struct OutboundResponse: Sendable {
    public var status: Int
    /// Header fields of the final response, in order, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// 1.1 or 2, as negotiated (`CURLINFO_HTTP_VERSION`); 0 when unknown.
    public var httpVersion: Int

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], httpVersion: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    /// The first field named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = ASCII.lowercased(name)
        return headers.first { ASCII.lowercased($0.name) == wanted }?.value
    }
}
