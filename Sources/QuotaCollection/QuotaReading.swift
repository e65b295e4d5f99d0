import QuotaExposition

/// One quota as a provider reported it: the provider-neutral shape every
/// collector returns and the one place the `quota_*` gauges come from.
///
/// Every field is optional because providers differ in what they say:
/// Cloudflare's Workers Builds limit tells only whether it is reached and
/// when it refreshes. A `nil` field produces no series; an exporter that
/// invents a zero for something the API never said misleads dashboards.
public struct QuotaReading: Sendable, Hashable {
    /// Stable name of the quota within its provider, e.g. `dex_commands`.
    public var quota: String
    /// Plural unit of the amounts, e.g. `commands`, `usd`, `count`.
    public var unit: String
    public var limit: Double?
    public var usage: Double?
    public var remaining: Double?
    /// Unix seconds at which the quota resets.
    public var resetTimestamp: Double?
    /// Unix seconds at which the current period started.
    public var periodStartTimestamp: Double?
    public var exhausted: Bool?
    /// Whether the provider blocks (rather than only reports) at the limit.
    public var enforced: Bool?
    /// String attributes exported as labels of `quota_info` (value 1).
    /// Empty means no `quota_info` series.
    public var info: [Label]
    /// Labels the provider adds to every series of this quota (e.g. `region`).
    public var labels: [Label]

    public init(
        quota: String,
        unit: String,
        limit: Double? = nil,
        usage: Double? = nil,
        remaining: Double? = nil,
        resetTimestamp: Double? = nil,
        periodStartTimestamp: Double? = nil,
        exhausted: Bool? = nil,
        enforced: Bool? = nil,
        info: [Label] = [],
        labels: [Label] = []
    ) {
        self.quota = quota
        self.unit = unit
        self.limit = limit
        self.usage = usage
        self.remaining = remaining
        self.resetTimestamp = resetTimestamp
        self.periodStartTimestamp = periodStartTimestamp
        self.exhausted = exhausted
        self.enforced = enforced
        self.info = info
        self.labels = labels
    }
}
