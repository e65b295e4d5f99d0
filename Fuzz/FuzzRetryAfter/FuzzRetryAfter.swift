import FuzzSupport
import QuotaCollection
import QuotaTime

/// `Retry-After` of a provider's 429 or 503: delay-seconds or an HTTP-date
/// (issue 10 item 1: numbers and dates from outside). The delay is a
/// finite, non-negative number of seconds no longer than the cap, or nil;
/// an HTTP-date that parses is a finite instant.
private let now = 1_767_225_600.0  // 2026-01-01T00:00:00Z

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let delay = RetryAfter.delay(value, now: now) {
        fuzzCheck(delay.isFinite && delay >= 0 && delay <= RetryAfter.maxDelay, "Retry-After \(value.debugDescription) gave \(delay)")
    }
    if let instant = try? HTTPDate.parse(value) {
        fuzzCheck(instant.isFinite, "HTTP-date \(value.debugDescription) gave \(instant)")
        _ = HTTPDate.format(unixSeconds: instant)
    }
    return 0
}
