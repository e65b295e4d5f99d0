import FuzzSupport
@testable import QuotaHTTP

/// One request head as `RequestParser` hands it over (without the blank
/// line): either refused with a 4xx/5xx, or a head whose fields cannot
/// smuggle anything past the handler (no CR, LF or NUL in a name or value,
/// a body length within the cap).
private let maxBodyBytes = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let head: RequestHead
    do {
        head = try RequestHeadParser.parse(bytes[...], maxBodyBytes: maxBodyBytes)
    } catch {
        fuzzCheck((400..<600).contains(error.status), "refused with status \(error.status)")
        _ = error.description
        return 0
    }
    fuzzCheck(!head.method.isEmpty && !head.target.isEmpty, "empty method or target: \(head)")
    for (name, value) in head.headers {
        fuzzCheck(!name.isEmpty && !name.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: ":") }, "header name \(name.debugDescription)")
        fuzzCheck(!value.utf8.contains { $0 == 0 || $0 == 0x0A || $0 == 0x0D }, "header value \(value.debugDescription)")
    }
    if case .contentLength(let length) = head.framing {
        fuzzCheck((0...maxBodyBytes).contains(length), "Content-Length \(length) accepted")
    }
    // What handlers look up (case-insensitively) on every request.
    for name in ["Host", "Accept", "Authorization", "X-Prometheus-Scrape-Timeout-Seconds", "Content-Type"] {
        _ = head.headers[name]
        _ = head.headers.values(name)
    }
    return 0
}
