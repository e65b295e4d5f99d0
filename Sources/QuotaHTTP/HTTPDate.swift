#if canImport(Glibc)
import Glibc
#endif
import QuotaConcurrency

/// The `Date` header value (RFC 9110 IMF-fixdate), built with `gmtime_r`
/// so no shared formatter or locale is involved.
enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String {
        format(time(nil))
    }

    static func format(_ time: time_t) -> String {
        var seconds = time
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// The current value as bytes, formatted once per second: the header
    /// only has second resolution, and every response carries it.
    static func nowBytes() -> [UInt8] {
        let second = time(nil)
        if let hit = latest.withLock({ $0 }), hit.second == second { return hit.bytes }
        let bytes = Array(format(second).utf8)
        latest.withLock { $0 = (second, bytes) }
        return bytes
    }

    private static let latest = Locked<(second: time_t, bytes: [UInt8])?>(nil)
}
