import QuotaCollection
import QuotaConfig
import QuotaTime

/// Quotas written into the configuration by hand: limits agreed in a
/// contract, a licence count, anything without an API. They get the same
/// gauges, dashboards and alerts as the API-backed ones. It is also how
/// the benchmark and the end-to-end check serve a known set of series.
///
/// ```json
/// "static": [{"account": "acme", "quotas": [
///   {"quota": "support_tickets", "unit": "tickets", "limit": 100, "usage": 12, "reset": "2026-12-01T00:00:00Z"}
/// ]}]
/// ```
public struct StaticProvider: Provider {
    public let name = "static"
    /// Static quotas are read from the file alone.
    public let callsUpstream = false

    public init() {}

    public var setupHint: String {
        "static: list quotas with a known limit under \"static\" in the config file (account, quotas[].quota/unit/limit/usage)."
    }

    public func targets(from entry: ConfigObject, common: TargetCommon) throws(ConfigError) -> [Target] {
        let account = try entry.required("account", .nonEmptyString)
        var readings: [QuotaReading] = []
        var names: Set<String> = []
        for quota in try entry.required("quotas", .objects) {
            let reading = try Self.reading(quota)
            guard names.insert(reading.quota).inserted else {
                throw ConfigError(path: quota.path + ".quota", message: "quota \"\(reading.quota)\" is listed twice for account \"\(account)\"")
            }
            readings.append(reading)
        }
        let frozen = readings
        return [Target(
            identity: TargetIdentity(provider: name, account: account, collector: "static"),
            labels: common.labels,
            settings: common.settings,
            collector: StaticCollector(readings: frozen)
        )]
    }

    static func reading(_ quota: ConfigObject) throws(ConfigError) -> QuotaReading {
        var reading = QuotaReading(
            quota: try quota.required("quota", .nonEmptyString),
            unit: try quota.required("unit", .nonEmptyString)
        )
        reading.limit = try quota.optional("limit", .double)
        reading.usage = try quota.optional("usage", .double)
        reading.remaining = try quota.optional("remaining", .double)
        if reading.remaining == nil, let limit = reading.limit, let usage = reading.usage {
            reading.remaining = max(0, limit - usage)
        }
        reading.resetTimestamp = try quota.optional("reset", timestamp)
        reading.periodStartTimestamp = try quota.optional("period_start", timestamp)
        reading.enforced = try quota.optional("enforced", .bool)
        reading.exhausted = try quota.optional("exhausted", .bool)
        if reading.exhausted == nil, let remaining = reading.remaining {
            reading.exhausted = remaining <= 0
        }
        return reading
    }

    /// RFC 3339 date-time, with or without fractional seconds.
    static let timestamp: ConfigType<Double> = ConfigType<String>.nonEmptyString.map { (text, context) throws(ConfigError) -> Double in
        // The parser's own message quotes 32 characters; config errors quote less.
        guard let seconds = try? RFC3339.parse(text) else {
            throw context.error("expected an RFC 3339 date-time such as 2026-12-01T00:00:00Z, found \(QuotedValue.quote(text))")
        }
        return seconds
    }
}

struct StaticCollector: Collector {
    let readings: [QuotaReading]

    func collect() async throws(CollectorError) -> [QuotaReading] {
        readings
    }

    func collectNow() -> Result<[QuotaReading], CollectorError>? {
        .success(readings)
    }
}
