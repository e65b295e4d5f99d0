import FuzzSupport
import QuotaCollection
@testable import QuotaZitadel

/// What reaches the exporter from ZITADEL, all from the same bytes:
/// - a usage notification POSTed to the receiver (`unit`, `id`, `callURL`,
///   `periodStart`, `threshold`, `usage`: numbers above 2^64, `1e400`,
///   negatives, fractions, long fractional seconds; issue 10 items 1, 2, 12);
///   an accepted one is logged, stored in the state file and must be read
///   back from it, and turns into a reading;
/// - the state file itself, as read at start;
/// - the error body of a refused system API call.
private let quota = ZitadelQuota(
    unit: .requestsAllAuthenticated, amount: 1_000_000, from: 1_767_225_600,
    resetInterval: 2_592_000, limit: true, notifications: []
)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    if let notification = try? ZitadelNotification.parse(body, receivedAt: 1_767_225_600) {
        fuzzCheck(notification.id.utf8.count <= ZitadelNotification.maxIDLength, "accepted an id of \(notification.id.utf8.count) bytes")
        fuzzCheck(notification.periodStart.isFinite, "periodStart \(notification.periodStart)")
        _ = RFC3339Text.format(notification.periodStart)
        let state = ZitadelState(instances: ["fuzz": .init(receiverSecret: "fuzz", notifications: [notification])])
        do {
            let stored = try ZitadelState.decode(state.serialized())
            fuzzCheck(stored == state, "the state file reads back differently: \(stored) instead of \(state)")
        } catch {
            fuzzCheck(false, "a stored notification makes the state file unreadable: \(error)")
        }
        var forUnit = quota
        forUnit.unit = notification.unit
        _ = ZitadelQuotaCollector.reading(forUnit, notifications: [notification], now: notification.periodStart + 60)
    }
    if let state = try? ZitadelState.decode(body) {
        _ = state.serialized()
    }
    // An error body that echoes the request must not bring a secret back.
    let secrets = ["eyJhbGciOiJSUzI1NiJ9.fuzz-bearer-token.sig", "fuzz-receiver-secret-0123456789"]
    let echoed = body + Array(secrets.joined(separator: " ").utf8)
    for status in [400, 404, 409, 500] {
        let text = ZitadelErrorBody.collectorError(call: "SetQuota", response: UpstreamResponse(status: status, body: echoed), redacting: secrets).description
        for secret in secrets where !String(decoding: body, as: UTF8.self).contains(secret) {
            fuzzCheck(!text.contains(secret), "a secret came back in the error text: \(text)")
        }
    }
    return 0
}
