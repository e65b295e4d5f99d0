import Foundation
import FuzzSupport
import QuotaCollection

/// `Retry-After` of a provider's 429 or 503: delay-seconds or an HTTP-date
/// (issue 10 item 1: numbers and dates from outside). The delay is a
/// finite, non-negative number of seconds or nil.
private let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let delay = RetryAfter.delay(value, now: now) {
        fuzzCheck(delay.isFinite && delay >= 0, "Retry-After \(value.debugDescription) gave \(delay)")
    }
    return 0
}
