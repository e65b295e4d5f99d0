import Synchronization

/// A complete response. The server adds `Content-Length`, `Date` and
/// `Connection`; for `HEAD` it sends the head only.
public struct HTTPResponse: Sendable {
    public var status: Int { didSet { headKey = 0 } }
    public var headers: HTTPHeaders { didSet { headKey = 0 } }
    /// The body in parts, sent back to back in one `sendmsg`. Lets a
    /// handler hand over a cached rendering plus a fresh tail without
    /// copying the large part into a new buffer at every request.
    public var bodyParts: [[UInt8]] { didSet { headKey = 0 } }
    /// Nonzero when this response is one a handler gives again and again
    /// (a kept scrape): every response with this key has this status,
    /// these headers and this body length, so a connection may send the
    /// head it wrote for the last one again (with the Date of now). Any
    /// change to the response clears it.
    public private(set) var headKey: UInt64 = 0

    private static let lastHeadKey = Atomic<UInt64>(0)

    /// The same response under a key no other response has.
    public func keyedForReuse() -> HTTPResponse {
        var keyed = self
        keyed.headKey = Self.lastHeadKey.add(1, ordering: .relaxed).newValue
        return keyed
    }

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.init(status: status, headers: headers, bodyParts: [body])
    }

    public init(status: Int, headers: HTTPHeaders = [:], bodyParts: [[UInt8]]) {
        self.status = status
        self.headers = headers
        self.bodyParts = Self.nonEmpty(bodyParts)
    }

    /// `parts` without the empty ones; the very same array when none is
    /// (a scrape's body is some twenty parts, and filtering copies the
    /// list part by part).
    static func nonEmpty(_ parts: [[UInt8]]) -> [[UInt8]] {
        parts.contains { $0.isEmpty } ? parts.filter { !$0.isEmpty } : parts
    }

    /// The whole body as one array (joins the parts: meant for tests and
    /// small responses).
    public var body: [UInt8] {
        get { bodyParts.count == 1 ? bodyParts[0] : Array(bodyParts.joined()) }
        set { bodyParts = newValue.isEmpty ? [] : [newValue] }
    }

    public var bodyCount: Int {
        bodyParts.reduce(0) { $0 + $1.count }
    }

    /// A plain-text response, the usual shape of an error or probe answer.
    public static func text(_ status: Int, _ text: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var all = headers
        all.set("Content-Type", "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: all, body: Array(text.utf8))
    }

    /// The reason phrase for the statuses this server sends.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

/// What the server calls for each complete request. It may take its time
/// (a scrape waits for collection); the server keeps serving other
/// connections meanwhile.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) async -> HTTPResponse

    /// The answer, if it is ready now, or nil to have `handle` called.
    /// Called on the server's event-loop thread before `handle`, so that a
    /// request whose answer is already made (a cached scrape) does not
    /// cross to the concurrency pool and back: with one connection that
    /// round trip (two thread wake-ups) was most of a cached scrape's time.
    /// It must return at once: no I/O, no waiting, no lock held for long,
    /// nothing expensive (bcrypt); anything of the kind returns nil.
    /// Nil must have no side effect, as `handle` follows.
    func respondImmediately(to request: HTTPRequest) -> HTTPResponse?
}

extension HTTPHandler {
    public func respondImmediately(to request: HTTPRequest) -> HTTPResponse? { nil }
}

/// A handler made from a closure; convenient in tests.
public struct ClosureHTTPHandler: HTTPHandler {
    private let body: @Sendable (HTTPRequest) async -> HTTPResponse
    private let immediate: @Sendable (HTTPRequest) -> HTTPResponse?

    public init(
        immediate: @escaping @Sendable (HTTPRequest) -> HTTPResponse? = { _ in nil },
        _ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse
    ) {
        self.body = body
        self.immediate = immediate
    }

    public func respondImmediately(to request: HTTPRequest) -> HTTPResponse? {
        immediate(request)
    }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await body(request)
    }
}
