import CQuotaSystem

/// libcurl, opened once per process (see CQuotaSystem.c for why at run time).
enum CurlRuntime {
    static func load() throws(OutboundError) {
        var reason = [CChar](repeating: 0, count: 512)
        guard cqs_curl_load(&reason, reason.count) == 0 else {
            throw OutboundError(.unavailable, String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// curl's version line, e.g. "libcurl/7.88.1 OpenSSL/3.0.19 ...".
    static var version: String {
        (try? load()).map { String(cString: cqs_curl_version()) } ?? "libcurl unavailable"
    }
}
