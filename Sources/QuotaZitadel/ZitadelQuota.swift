#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaConfig
import QuotaTime

/// One quota as the configuration wants it in ZITADEL.
public struct ZitadelQuota: Sendable, Hashable {
    /// When ZITADEL calls the receiver: at `percent` of the amount, and with
    /// `repeat` again at every multiple of it (50, 100, 150 …).
    public struct Notification: Sendable, Hashable {
        public var percent: Int
        public var `repeat`: Bool

        public init(percent: Int, repeat: Bool) {
            self.percent = percent
            self.repeat = `repeat`
        }
    }

    public var unit: ZitadelUnit
    public var amount: UInt64
    /// Unix seconds from which periods are counted.
    public var from: Double
    /// Whole seconds; ZITADEL requires at least a minute.
    public var resetInterval: Int
    /// Whether ZITADEL blocks further use once `amount` is reached.
    public var limit: Bool
    public var notifications: [Notification]

    public init(unit: ZitadelUnit, amount: UInt64, from: Double, resetInterval: Int, limit: Bool, notifications: [Notification]) {
        self.unit = unit
        self.amount = amount
        self.from = from
        self.resetInterval = resetInterval
        self.limit = limit
        self.notifications = notifications
    }

    /// The body of SetQuota (`PUT`) and AddQuota (`POST`), which share one
    /// shape: every notification rule once per callUrl, so each replica is
    /// called for each rule. ZITADEL compares the list with the stored one
    /// sorted by percent, callUrl and repeat, and keeps the stored list (and
    /// the ids it tracks delivery by) when they match, so a second replica
    /// sending the same body changes nothing.
    func requestBody(callURLs: [String]) -> JSONValue {
        var entries: [JSONValue] = []
        for notification in notifications {
            for callURL in callURLs {
                entries.append([
                    "percent": .number(JSONNumber(notification.percent)),
                    "repeat": .bool(notification.repeat),
                    "callUrl": .string(callURL),
                ])
            }
        }
        return [
            "unit": .string(unit.apiName),
            "from": .string(RFC3339Text.format(from)),
            "resetInterval": .string("\(resetInterval)s"),
            "amount": .number(JSONNumber(amount)),
            "limit": .bool(limit),
            "notifications": .array(entries),
        ]
    }

    func currentPeriod(now: Double) -> QuotaPeriod {
        QuotaPeriod.current(from: from, resetInterval: Double(resetInterval), now: now)
    }
}

/// RFC 3339 in UTC, keeping milliseconds only when `from` had a fraction.
enum RFC3339Text {
    static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds != seconds.rounded() else { return RFC3339.format(unixSeconds: seconds) }
        let milliseconds = (seconds * 1000).rounded()
        let whole = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - whole * 1000)  // 0...999, as `seconds` passed config checks
        let text = RFC3339.format(unixSeconds: whole)
        return text.dropLast() + "." + String(String(fraction + 1000).dropFirst()) + "Z"
    }
}
