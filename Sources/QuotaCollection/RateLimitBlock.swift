import QuotaText
import QuotaTime

/// One pause of a credential's calls after a 429 (or a 503 with
/// `Retry-After`): until when, and whether the provider said how long or a
/// default applied. Operators need the second to tell a provider that asks
/// for five minutes from one that sent nothing.
struct RateLimitBlock: Sendable {
    enum Source: Sendable {
        /// A `Retry-After` the exporter could read (seconds or an HTTP-date).
        case retryAfter(String)
        /// No `Retry-After`: the provider's documented block or the default.
        case defaultPause
        /// A `Retry-After` that was neither delay-seconds nor an HTTP-date.
        case unreadableRetryAfter(String)
    }

    /// Unix seconds.
    var until: Double
    var seconds: Double
    var source: Source
    var status: Int

    /// For a message (status page, errors): `Retry-After: 120`,
    /// `no Retry-After; default pause 60s`.
    var summary: String {
        switch source {
        case .retryAfter(let value): "Retry-After: \(Self.cut(value))"
        case .defaultPause: "no Retry-After; default pause \(Self.duration(seconds))"
        case .unreadableRetryAfter(let value): "unreadable Retry-After \"\(Self.cut(value))\"; default pause \(Self.duration(seconds))"
        }
    }

    var logFields: [(String, String)] {
        var fields: [(String, String)] = [
            ("paused_until", RFC3339.format(unixSeconds: until)), ("pause", Self.duration(seconds)),
        ]
        switch source {
        case .retryAfter: fields.append(("pause_from", "Retry-After"))
        case .defaultPause: fields.append(("pause_from", "default"))
        case .unreadableRetryAfter(let value):
            fields.append(("pause_from", "default"))
            fields.append(("retry_after", Self.cut(value)))
        }
        return fields
    }

    static func duration(_ seconds: Double) -> String {
        String(Int(seconds.rounded(.up))) + "s"
    }

    /// A header value from outside, cut so a huge one cannot flood a line.
    private static func cut(_ value: String) -> String {
        value.utf8.count > 64 ? String(decoding: value.utf8.prefix(64), as: UTF8.self) + "…" : value
    }
}
