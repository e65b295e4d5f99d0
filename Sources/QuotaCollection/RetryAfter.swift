#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaTime

/// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds (`1*DIGIT`) or an
/// HTTP-date. Returns the delay in seconds from `now`, never negative and
/// at most `maxDelay`; nil for anything else (a sign, a fraction, a
/// malformed date), which callers treat as no header.
public enum RetryAfter {
    /// A year: far above any pause a caller applies (they clamp to their own
    /// maximum, an hour by default), and small enough that any arithmetic
    /// on the result stays exact. Longer values, however many digits, are
    /// cut to it instead of overflowing an integer.
    public static let maxDelay: Double = 365 * 86_400

    public static func delay(_ value: String, now: Double = currentTime()) -> Double? {
        let trimmed = value.utf8.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let bytes = Array(trimmed.reversed().drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.reversed())
        guard !bytes.isEmpty else { return nil }
        if bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            var seconds: Double = 0
            for byte in bytes {
                seconds = min(seconds * 10 + Double(byte - UInt8(ascii: "0")), maxDelay)
            }
            return seconds
        }
        guard let date = try? HTTPDate.parse(String(decoding: bytes, as: UTF8.self)) else { return nil }
        return min(max(0, date - now), maxDelay)
    }

    /// Unix seconds now, from the system clock.
    public static func currentTime() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
