import CQuotaSystem
import Glibc
import Synchronization

/// One request's easy handle and everything curl writes into while it runs.
///
/// Built on the caller's task, then handed to the loop and from then on
/// touched only by the loop thread (curl's callbacks run there), which is
/// what makes the `@unchecked Sendable` sound; `cancelRequested` is the one
/// field both sides touch, hence atomic.
final class Transfer: @unchecked Sendable {
    let id: UInt64
    let easy: OpaquePointer
    let maxResponseBytes: Int
    /// The proxy named in error messages: the explicit one, else what curl
    /// will have read from the environment. Credentials already removed.
    let proxyForMessages: String?
    let cancelRequested = Atomic<Bool>(false)

    var continuation: CheckedContinuation<Result<OutboundResponse, OutboundError>, Never>?
    private(set) var body: [UInt8] = []
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var exceededCap = false

    private var requestHeaders: UnsafeMutablePointer<cqs_curl_slist>?
    private var connectTo: UnsafeMutablePointer<cqs_curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init(id: UInt64, request: OutboundRequest, userAgent: String?) throws(OutboundError) {
        guard let easy = cqs_curl_easy_init() else {
            throw OutboundError(.unavailable, "curl_easy_init failed (out of memory?)")
        }
        self.id = id
        self.easy = easy
        self.maxResponseBytes = max(0, request.maxResponseBytes)
        self.errorBuffer = .allocate(capacity: Int(CQS_CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CQS_CURL_ERROR_SIZE) + 1)
        self.proxyForMessages = Self.proxyForMessages(request)
        try configure(request, userAgent: userAgent)
    }

    deinit {
        cqs_curl_easy_cleanup(easy)
        cqs_curl_slist_free_all(requestHeaders)
        cqs_curl_slist_free_all(connectTo)
        errorBuffer.deallocate()
    }

    /// curl's words for the failure, or its generic text for the code.
    func errorText(code: Int32) -> String {
        let text = String(cString: errorBuffer)
        if !text.isEmpty { return text }
        return String(cString: cqs_curl_easy_strerror(code))
    }

    func info(_ which: cqs_info) -> Int {
        var value = 0
        _ = cqs_curl_easy_getinfo_long(easy, which, &value)
        return value
    }

    // MARK: - curl's callbacks (loop thread)

    /// Returning less than `count` makes curl abort with CURLE_WRITE_ERROR:
    /// past the cap the transfer stops instead of buffering the rest.
    func receiveBody(_ data: UnsafeRawBufferPointer) -> Int {
        if body.count + data.count > maxResponseBytes {
            exceededCap = true
            return 0
        }
        body.append(contentsOf: data)
        return data.count
    }

    /// One header line. A status line starts a new header block (an interim
    /// 1xx answer, a proxy's CONNECT reply), so only the final one is kept.
    func receiveHeader(_ data: UnsafeRawBufferPointer) -> Int {
        let line = Array(data)
        if line.starts(with: Array("HTTP/".utf8)) {
            headers.removeAll()
            return data.count
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return data.count }
        let name = String(decoding: ASCII.trimmed(line[..<colon]), as: UTF8.self)
        let value = String(decoding: ASCII.trimmed(line[(colon + 1)...]), as: UTF8.self)
        headers.append((name: name, value: value))
        return data.count
    }

    // MARK: - Setup (caller's task)

    private func configure(_ request: OutboundRequest, userAgent: String?) throws(OutboundError) {
        guard let url = CurlURL(request.url), let scheme = url.scheme.map(ASCII.lowercased), let host = url.host else {
            throw OutboundError(.invalidRequest, "not a valid URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw OutboundError(.invalidRequest, "unsupported scheme \(scheme)")
        }
        guard request.timeoutMilliseconds > 0 else {
            throw OutboundError(.invalidRequest, "timeout must be positive")
        }
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy({ (65...90).contains($0) || $0 == UInt8(ascii: "-") }) else {
            throw OutboundError(.invalidRequest, "invalid method")
        }

        var lines: [String] = []
        var hasHost = false
        for header in request.headers {
            guard !header.name.isEmpty, ASCII.isSafeFieldText(header.name), !header.name.utf8.contains(UInt8(ascii: ":")),
                  ASCII.isSafeFieldText(header.value)
            else {
                // The name may be printed; the value never is (it may be a token).
                throw OutboundError(.invalidRequest, "header \(ASCII.isSafeFieldText(header.name) ? header.name : "(unprintable)") contains CR, LF or NUL")
            }
            if ASCII.lowercased(header.name) == "host" { hasHost = true }
            // "Name;" is curl's way to send a header with an empty value.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        // Without this curl sends `Expect: 100-continue` for bodies over
        // 1 KiB and waits up to a second for an answer many APIs never give.
        if !request.headers.contains(where: { ASCII.lowercased($0.name) == "expect" }) {
            lines.append("Expect:")
        }

        let tls = request.tls
        if let serverName = tls.serverName, !serverName.isEmpty, scheme == "https" {
            // curl verifies and sends as SNI the URL's host. To verify
            // against `serverName` while still connecting to the URL's
            // host: put `serverName` in the URL, route that name to the real
            // host with CONNECT_TO, and keep the original Host header.
            guard ASCII.isSafeFieldText(serverName), !serverName.utf8.contains(UInt8(ascii: ":")) else {
                throw OutboundError(.invalidRequest, "invalid tls server_name")
            }
            let port = url.port ?? "443"
            if !hasHost {
                lines.append("Host: \(Self.hostHeader(host: host, port: port, scheme: scheme))")
            }
            guard url.setHost(serverName) else { throw OutboundError(.invalidRequest, "invalid tls server_name") }
            connectTo = cqs_curl_slist_append(nil, "\(serverName):\(port):\(host):\(port)")
            try set(CQS_CURLOPT_CONNECT_TO, pointer: UnsafeRawPointer(connectTo))
        }
        guard let finalURL = url.text else { throw OutboundError(.invalidRequest, "not a valid URL") }

        for line in lines {
            guard let appended = cqs_curl_slist_append(requestHeaders, line) else {
                throw OutboundError(.unavailable, "out of memory building headers")
            }
            requestHeaders = appended
        }

        try set(CQS_CURLOPT_URL, string: finalURL)
        try set(CQS_CURLOPT_ERRORBUFFER, pointer: UnsafeRawPointer(errorBuffer))
        // Only HTTP(S), also for redirects or a scheme-less proxy string.
        _ = cqs_curl_easy_setopt_pointer(easy, CQS_CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CQS_CURLOPT_NOSIGNAL, 1)
        try set(CQS_CURLOPT_NOPROGRESS, 1)
        try set(CQS_CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds)
        try set(CQS_CURLOPT_TCP_KEEPALIVE, 1)
        try set(CQS_CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        try set(CQS_CURLOPT_HTTP_VERSION, Int(CQS_CURL_HTTP_VERSION_2TLS))
        if scheme == "https" {
            // Wait for a connection that is still handshaking rather than
            // open another, so HTTP/2 servers get one multiplexed connection.
            try set(CQS_CURLOPT_PIPEWAIT, 1)
        }
        // Known-too-large answers (Content-Length) fail before any body is
        // read; a HEAD answer's length describes a body that never comes.
        if method != "HEAD" {
            try set(CQS_CURLOPT_MAXFILESIZE_LARGE, offset: Int64(maxResponseBytes))
        }
        if let userAgent {
            // A request's own User-Agent header still wins over this.
            try set(CQS_CURLOPT_USERAGENT, string: userAgent)
        }
        if requestHeaders != nil {
            try set(CQS_CURLOPT_HTTPHEADER, pointer: UnsafeRawPointer(requestHeaders))
        }

        switch method {
        case "GET":
            try set(CQS_CURLOPT_HTTPGET, 1)
        case "HEAD":
            try set(CQS_CURLOPT_NOBODY, 1)
        default:
            break
        }
        if let body = request.body ?? (method == "POST" ? [] : nil) {
            try set(CQS_CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
            // COPYPOSTFIELDS: curl keeps its own copy, so the array may go.
            let code = body.isEmpty
                ? cqs_curl_easy_setopt_pointer(easy, CQS_CURLOPT_COPYPOSTFIELDS, "")
                : body.withUnsafeBytes { cqs_curl_easy_setopt_pointer(easy, CQS_CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            try check(code, "COPYPOSTFIELDS")
        }
        if !["GET", "HEAD", "POST"].contains(method) {
            try set(CQS_CURLOPT_CUSTOMREQUEST, string: method)
        }

        if let proxy = request.proxy {
            // An empty string is curl's "no proxy at all, ignore the environment".
            try set(CQS_CURLOPT_PROXY, string: proxy)
        }
        if let caFile = tls.caFile { try set(CQS_CURLOPT_CAINFO, string: caFile) }
        if let certFile = tls.certFile { try set(CQS_CURLOPT_SSLCERT, string: certFile) }
        if let keyFile = tls.keyFile { try set(CQS_CURLOPT_SSLKEY, string: keyFile) }
        if tls.insecureSkipVerify {
            try set(CQS_CURLOPT_SSL_VERIFYPEER, 0)
            try set(CQS_CURLOPT_SSL_VERIFYHOST, 0)
        }

        let me = Unmanaged.passUnretained(self).toOpaque()
        try set(CQS_CURLOPT_WRITEDATA, pointer: UnsafeRawPointer(me))
        try set(CQS_CURLOPT_HEADERDATA, pointer: UnsafeRawPointer(me))
        try check(cqs_curl_easy_setopt_data_callback(easy, CQS_CURLOPT_WRITEFUNCTION, Self.writeCallback), "WRITEFUNCTION")
        try check(cqs_curl_easy_setopt_data_callback(easy, CQS_CURLOPT_HEADERFUNCTION, Self.headerCallback), "HEADERFUNCTION")
    }

    private static let writeCallback: cqs_data_callback = { data, size, count, user in
        guard let user, let data else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
        return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
    }

    private static let headerCallback: cqs_data_callback = { data, size, count, user in
        guard let user, let data else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
        return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    }

    private static func hostHeader(host: String, port: String, scheme: String) -> String {
        let bracketed = host.utf8.contains(UInt8(ascii: ":")) && !host.hasPrefix("[") ? "[\(host)]" : host
        let isDefault = (scheme == "https" && port == "443") || (scheme == "http" && port == "80")
        return isDefault ? bracketed : "\(bracketed):\(port)"
    }

    /// The proxy curl will use for this request, for naming it in errors.
    /// Mirrors curl's reading of the environment: `<scheme>_proxy` (for
    /// http only the lowercase form), then `all_proxy`; `NO_PROXY` is left
    /// to curl, so this may name a proxy that was bypassed, which only
    /// matters for messages about proxy failures that then cannot occur.
    private static func proxyForMessages(_ request: OutboundRequest) -> String? {
        if let proxy = request.proxy {
            return proxy.isEmpty ? nil : CurlURL.redact(proxy)
        }
        let https = request.url.utf8.starts(with: "https:".utf8)
        let names = https ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        for name in names {
            if let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty {
                return CurlURL.redact(value)
            }
        }
        return nil
    }

    private func set(_ option: cqs_easy_option, _ value: Int) throws(OutboundError) {
        try check(cqs_curl_easy_setopt_long(easy, option, value), "option \(option.rawValue)")
    }

    private func set(_ option: cqs_easy_option, offset: Int64) throws(OutboundError) {
        try check(cqs_curl_easy_setopt_off_t(easy, option, offset), "option \(option.rawValue)")
    }

    /// curl copies string options (since 7.17), so the Swift string may go.
    private func set(_ option: cqs_easy_option, string: String) throws(OutboundError) {
        try check(cqs_curl_easy_setopt_pointer(easy, option, string), "option \(option.rawValue)")
    }

    private func set(_ option: cqs_easy_option, pointer: UnsafeRawPointer?) throws(OutboundError) {
        try check(cqs_curl_easy_setopt_pointer(easy, option, pointer), "option \(option.rawValue)")
    }

    private func check(_ code: Int32, _ what: String) throws(OutboundError) {
        guard code == 0 else {
            throw OutboundError(.invalidRequest, "curl refused \(what): \(String(cString: cqs_curl_easy_strerror(code)))", curlCode: code)
        }
    }
}
