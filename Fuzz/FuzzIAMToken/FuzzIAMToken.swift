import FuzzSupport
@testable import QuotaHuaweiCES
import QuotaConfig

/// The body of IAM's `POST /v3/auth/tokens` answer: `token.expires_at`
/// (an RFC 3339 timestamp from outside, issue 10 item 2) and the renewal
/// time derived from it. Whatever the body, the expiry is either an error
/// naming the field or a real instant, and the token built from it has a
/// finite renewal time.
private let fetchedAt = 1_767_225_600.0  // 2026-01-01T00:00:00Z

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let expiry: Double?
    do {
        expiry = try IAMTokenClient.expiry(body)
    } catch {
        fuzzCheck(error.message.contains("token.expires_at"), "an expiry error must name the field: \(error.message)")
        return 0
    }
    let expiresAt = expiry ?? fetchedAt + IAMTokenClient.assumedLifetime
    let token = IAMToken(value: Secret("fuzz"), fetchedAt: fetchedAt, expiresAt: min(expiresAt, fetchedAt + IAMTokenClient.maxLifetime))
    fuzzCheck(token.expiresAt.isFinite && token.renewAt.isFinite, "expiry \(token.expiresAt), renewal \(token.renewAt)")
    _ = token.isUsable(at: fetchedAt)
    return 0
}
