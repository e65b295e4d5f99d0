import CQuotaSystem

/// A URL parsed by curl's own parser (`curl_url`), so the host, port and
/// scheme this client reasons about are exactly the ones curl will use,
/// IPv6 brackets and all.
final class CurlURL {
    private let handle: OpaquePointer

    init?(_ text: String) {
        guard let handle = cqs_curl_url_new() else { return nil }
        guard cqs_curl_url_set(handle, CQS_CURLUPART_URL, text, 0) == 0 else {
            cqs_curl_url_cleanup(handle)
            return nil
        }
        self.handle = handle
    }

    deinit {
        cqs_curl_url_cleanup(handle)
    }

    var scheme: String? { part(CQS_CURLUPART_SCHEME) }
    var host: String? { part(CQS_CURLUPART_HOST) }
    /// The port, or the scheme's default one.
    var port: String? { part(CQS_CURLUPART_PORT, flags: UInt32(CQS_CURLU_DEFAULT_PORT)) }
    var text: String? { part(CQS_CURLUPART_URL) }

    func setHost(_ host: String) -> Bool {
        cqs_curl_url_set(handle, CQS_CURLUPART_HOST, host, 0) == 0
    }

    /// The URL without user name and password, safe for a log line.
    var redacted: String? {
        _ = cqs_curl_url_set(handle, CQS_CURLUPART_USER, nil, 0)
        _ = cqs_curl_url_set(handle, CQS_CURLUPART_PASSWORD, nil, 0)
        return text
    }

    private func part(_ which: cqs_url_part, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard cqs_curl_url_get(handle, which, &value, flags) == 0, let value else { return nil }
        defer { cqs_curl_free(value) }
        return String(cString: value)
    }
}

extension CurlURL {
    /// `text` with any credentials removed; a placeholder if curl cannot parse it.
    static func redact(_ text: String) -> String {
        let absolute = text.utf8.firstRange(of: "://".utf8) == nil ? "http://" + text : text
        guard let url = CurlURL(absolute) else { return "(unparsable proxy URL)" }
        return url.redacted ?? "(unparsable proxy URL)"
    }
}
