#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCollection
import QuotaConfig
import QuotaTime

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

    /// Longest `id` accepted, in UTF-8 bytes (not characters: one grapheme
    /// can be any number of bytes); ZITADEL's ids are short, and the state
    /// file should stay small.
    static let maxIDLength = 200

    /// Why a body is not a notification; the text goes into the 400 answer
    /// and the log. It quotes no value from the body except at most 32
    /// printable characters of a malformed `periodStart` (the timestamp
    /// parser's own message), from a sender that already passed the secret.
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
        let unitNumber = try integer(field("unit"), "unit", in: 0...Int64(Int32.max))
        guard let unit = ZitadelUnit(rawValue: Int(unitNumber)) else {
            throw Rejection(description: "unknown unit \(unitNumber) (known: 1 requests_all_authenticated, 2 actions_all_run_seconds)")
        }
        guard let id = try field("id").stringValue, !id.isEmpty, id.utf8.count <= maxIDLength else {
            throw Rejection(description: "field \"id\" must be a non-empty string of at most \(maxIDLength) bytes")
        }
        guard try field("callURL").stringValue != nil else {
            throw Rejection(description: "field \"callURL\" must be a string")
        }
        guard let periodText = try field("periodStart").stringValue else {
            throw Rejection(description: "field \"periodStart\" must be an RFC 3339 date-time string")
        }
        let periodStart: Double
        do {
            periodStart = try RFC3339.parse(periodText)
        } catch {
            throw Rejection(description: "field \"periodStart\": not an RFC 3339 date-time (\(error))")
        }
        let threshold = try integer(field("threshold"), "threshold", in: 0...Int64.max)
        let usage = try unsignedInteger(field("usage"), "usage")
        return ZitadelNotification(
            id: id, unit: unit, periodStart: periodStart,
            threshold: threshold, usage: usage, receivedAt: receivedAt
        )
    }

    /// An exact integer in `range`: `1e400`, `5.5`, `1e3` and anything
    /// outside the range are refused with the reason, never rounded.
    private static func integer(_ value: JSONValue, _ name: String, in range: ClosedRange<Int64>) throws(Rejection) -> Int64 {
        let number = try integerLiteral(value, name, range: "\(range.lowerBound) to \(range.upperBound)")
        guard let integer = number.int64Value, range.contains(integer) else {
            throw Rejection(description: "field \"\(name)\" must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    private static func unsignedInteger(_ value: JSONValue, _ name: String) throws(Rejection) -> UInt64 {
        let number = try integerLiteral(value, name, range: "0 to \(UInt64.max)")
        guard let integer = number.uint64Value else {
            throw Rejection(description: "field \"\(name)\" must be an integer from 0 to \(UInt64.max)")
        }
        return integer
    }

    private static func integerLiteral(_ value: JSONValue, _ name: String, range: String) throws(Rejection) -> JSONNumber {
        guard let number = value.numberValue else {
            throw Rejection(description: "field \"\(name)\" must be an integer from \(range), found \(value.typeDescription)")
        }
        guard !number.literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            throw Rejection(description: "field \"\(name)\" must be an integer from \(range), without a fraction or exponent")
        }
        return number
    }
}
