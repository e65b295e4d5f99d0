import Foundation
import QuotaCollection
import QuotaConfig

/// One usage notification as ZITADEL POSTs it to a quota's `callUrl`:
/// `{"unit":1,"id":"…","callURL":"…","periodStart":"2026-11-01T00:00:00Z","threshold":50,"usage":500}`.
///
/// `callURL` is checked but not kept: it carries the receiver secret, and
/// the state file has no use for it.
public struct ZitadelNotification: Sendable, Hashable {
    /// ZITADEL's id of the notification *rule* in the quota (one per entry
    /// of `notifications`), not of this event: a rule with `repeat` sends
    /// 50, 100, 150 … % under the same id, and again in every period.
    public var id: String
    public var unit: ZitadelUnit
    /// Unix seconds of the start of the period the usage belongs to.
    public var periodStart: Double
    /// The percentage of the amount that was reached (50, 100, 150 … with `repeat`).
    public var threshold: Int64
    /// Absolute usage in the period when the threshold was reached.
    public var usage: UInt64
    /// Unix seconds at which the exporter stored it.
    public var receivedAt: Double

    public init(id: String, unit: ZitadelUnit, periodStart: Double, threshold: Int64, usage: UInt64, receivedAt: Double) {
        self.id = id
        self.unit = unit
        self.periodStart = periodStart
        self.threshold = threshold
        self.usage = usage
        self.receivedAt = receivedAt
    }

    /// What makes one event: ZITADEL sends a rule's threshold at most once
    /// per period (its projection advances the next due threshold after a
    /// delivery), so a second arrival with the same key is a redelivery.
    public struct EventKey: Sendable, Hashable {
        public var id: String
        public var unit: ZitadelUnit
        public var periodStart: Double
        public var threshold: Int64
    }

    public var eventKey: EventKey {
        EventKey(id: id, unit: unit, periodStart: periodStart, threshold: threshold)
    }

    /// Longest `id` accepted; ZITADEL's ids are short, and the state file should stay small.
    static let maxIDLength = 200

    /// Why a body is not a notification; the text goes into the 400 answer
    /// and never quotes a value from the body.
    public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Decodes a request body strictly: every documented field must be
    /// there with its documented type. Extra fields are ignored, so a newer
    /// ZITADEL that adds one is not refused forever (it retries non-2xx).
    public static func parse(_ body: [UInt8], receivedAt: Double) throws(Rejection) -> ZitadelNotification {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw Rejection(description: "body is not valid JSON: \(error)")
        }
        guard let object = document.objectValue else {
            throw Rejection(description: "body must be a JSON object, found \(document.typeDescription)")
        }
        func field(_ key: String) throws(Rejection) -> JSONValue {
            guard let value = object[key] else { throw Rejection(description: "missing field \"\(key)\"") }
            return value
        }
        guard let unitNumber = try field("unit").int64Value else {
            throw Rejection(description: "field \"unit\" must be an integer")
        }
        guard let unit = Int(exactly: unitNumber).flatMap(ZitadelUnit.init(rawValue:)) else {
            throw Rejection(description: "unknown unit \(unitNumber) (known: 1 requests_all_authenticated, 2 actions_all_run_seconds)")
        }
        guard let id = try field("id").stringValue, !id.isEmpty, id.count <= maxIDLength else {
            throw Rejection(description: "field \"id\" must be a non-empty string of at most \(maxIDLength) characters")
        }
        guard try field("callURL").stringValue != nil else {
            throw Rejection(description: "field \"callURL\" must be a string")
        }
        guard let periodText = try field("periodStart").stringValue, let periodStart = RFC3339.parse(periodText) else {
            throw Rejection(description: "field \"periodStart\" must be an RFC 3339 date-time")
        }
        guard let threshold = try field("threshold").int64Value, threshold >= 0 else {
            throw Rejection(description: "field \"threshold\" must be a non-negative integer")
        }
        guard let usage = try field("usage").uint64Value else {
            throw Rejection(description: "field \"usage\" must be a non-negative integer")
        }
        return ZitadelNotification(
            id: id, unit: unit, periodStart: periodStart.timeIntervalSince1970,
            threshold: threshold, usage: usage, receivedAt: receivedAt
        )
    }
}
