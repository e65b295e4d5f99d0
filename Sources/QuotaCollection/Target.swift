import QuotaExposition

/// What identifies one unit of collection: one endpoint of one account.
/// It is the label set of the `quota_exporter_collector_*` series, so two
/// targets with the same identity would collide and the configuration
/// loader rejects that.
public struct TargetIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let provider: String
    public let account: String
    public let collector: String
    /// Hashed once: identities key the cache's dictionaries and sets, and
    /// a collection looked its target up about ten times, hashing three
    /// strings each time.
    private let hash: Int

    public init(provider: String, account: String, collector: String) {
        self.provider = provider
        self.account = account
        self.collector = collector
        var hasher = Hasher()
        hasher.combine(provider)
        hasher.combine(account)
        hasher.combine(collector)
        self.hash = hasher.finalize()
    }

    public static func == (lhs: TargetIdentity, rhs: TargetIdentity) -> Bool {
        lhs.hash == rhs.hash && lhs.provider == rhs.provider && lhs.account == rhs.account && lhs.collector == rhs.collector
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    public var description: String { "\(provider)/\(account)/\(collector)" }

    public static func < (lhs: TargetIdentity, rhs: TargetIdentity) -> Bool {
        (lhs.provider, lhs.account, lhs.collector) < (rhs.provider, rhs.account, rhs.collector)
    }

    public var labels: [Label] {
        [Label("provider", provider), Label("account", account), Label("collector", collector)]
    }
}

/// How often and how long a target is collected, and how long its last good
/// values outlive failures. Durations are in seconds.
public struct CollectionSettings: Sendable, Hashable {
    /// A scrape refreshes the target only when its data is older than this,
    /// which bounds upstream calls whatever the scrape rate.
    public var minInterval: Double
    /// How long the last good values keep being served while refreshes fail;
    /// after that they are dropped rather than shown as if current.
    public var maxStaleness: Double
    /// Upper bound on one whole collection, all its requests and retries.
    public var timeout: Double
    /// Whether the configuration set `min_interval` (in the entry or under
    /// `global`) rather than leaving the default, which a provider may
    /// raise to respect a rate limit shared by several targets.
    public var minIntervalIsExplicit: Bool

    public init(minInterval: Double = 60, maxStaleness: Double = 600, timeout: Double = 30, minIntervalIsExplicit: Bool = false) {
        self.minInterval = minInterval
        self.maxStaleness = maxStaleness
        self.timeout = timeout
        self.minIntervalIsExplicit = minIntervalIsExplicit
    }
}

/// What a provider implements: fetch the quotas of the target it was built
/// for, or fail with a typed error.
public protocol Collector: Sendable {
    func collect() async throws(CollectorError) -> [QuotaReading]

    /// The readings at once, for a collector that has them in memory and
    /// can neither wait nor fail slowly (static quotas); nil for every
    /// other, which the cache then runs in a task under its timeout. The
    /// cache collects such a target inline, with no task, timer or
    /// deadline: for a scrape that finds one due, that bookkeeping cost
    /// more than the collection. The default is nil.
    func collectNow() -> Result<[QuotaReading], CollectorError>?
}

extension Collector {
    public func collectNow() -> Result<[QuotaReading], CollectorError>? { nil }
}

/// A configured target: identity, static labels from the configuration,
/// settings, and the provider's collector that knows its endpoint and
/// credentials.
public struct Target: Sendable {
    public var identity: TargetIdentity
    /// Static labels from the configuration, added to every data series.
    public var labels: [Label]
    public var settings: CollectionSettings
    public var collector: any Collector
    /// Set by the configuration loader; nil means "unknown", and such a
    /// target counts as changed at every reload.
    public var definition: TargetDefinition?

    public init(
        identity: TargetIdentity, labels: [Label] = [], settings: CollectionSettings = CollectionSettings(),
        collector: any Collector, definition: TargetDefinition? = nil
    ) {
        self.identity = identity
        self.labels = labels
        self.settings = settings
        self.collector = collector
        self.definition = definition
    }
}
