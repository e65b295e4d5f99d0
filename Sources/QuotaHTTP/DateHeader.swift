#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency
import QuotaTime

/// The `Date` header value (RFC 9110 IMF-fixdate, `QuotaTime.HTTPDate`),
/// formatted once per second: the header only has second resolution, and
/// every response carries it.
enum DateHeader {
    static func nowBytes() -> [UInt8] {
        let second = time(nil)
        if let hit = latest.withLock({ $0 }), hit.second == second { return hit.bytes }
        let bytes = HTTPDate.bytes(unixSeconds: Double(second))
        latest.withLock { $0 = (second, bytes) }
        return bytes
    }

    private static let latest = Locked<(second: time_t, bytes: [UInt8])?>(nil)
}
