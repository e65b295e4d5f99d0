import FuzzSupport
import QuotaCollection

/// RFC 3339 timestamps from outside: Cloudflare `reset_time` and
/// `build_minutes_refresh_on`, ZITADEL `periodStart`, IAM `expires_at`,
/// config instants (issue 10 item 2: a long fraction trapped inside ICU).
/// Kept to the one call so it can follow the parser to `QuotaTime`
/// (`RFC3339.parse(_:) throws(TimestampError) -> Double`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let date = RFC3339.parse(text) {
        fuzzCheck(date.timeIntervalSince1970.isFinite, "\(text.debugDescription) parsed to \(date.timeIntervalSince1970)")
    }
    return 0
}
