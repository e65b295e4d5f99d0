import Foundation
import FuzzSupport
@testable import QuotaHuaweiCES
import QuotaConfig

/// The body of IAM's `POST /v3/auth/tokens` answer: `token.expires_at`
/// (an RFC 3339 timestamp from outside, issue 10 item 2) and the renewal
/// time derived from it. Whatever the body, the token gets an expiry and a
/// renewal time that are real instants.
private let fetchedAt = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let expiresAt = IAMTokenClient.expiry(answer: body) ?? fetchedAt.addingTimeInterval(IAMTokenClient.assumedLifetime)
    let token = IAMToken(value: Secret("fuzz"), fetchedAt: fetchedAt, expiresAt: expiresAt)
    fuzzCheck(token.expiresAt.timeIntervalSince1970.isFinite && token.renewAt.timeIntervalSince1970.isFinite, "expiry \(token.expiresAt), renewal \(token.renewAt)")
    _ = token.isUsable(at: fetchedAt)
    return 0
}
