import QuotaConfig
import QuotaExposition
import QuotaLogging

/// A source of quotas: Cloudflare, Huawei Cloud, ZITADEL, ... One instance
/// lives as long as the process, so state that must survive a reload (its
/// HTTP client with the `Retry-After` blocks, a token cache) belongs to it;
/// the targets it builds from the configuration are rebuilt on each reload.
public protocol Provider: Sendable {
    /// The key of this provider's list in the configuration file and the
    /// value of the `provider` label.
    var name: String { get }

    /// Label names this provider's readings add (e.g. `region`), which a
    /// target's static `labels` may therefore not use.
    var reservedLabels: Set<String> { get }

    /// Whether entries reach a provider over HTTP and so may say
    /// `proxy_url` and `tls_config`; false keeps the keys unknown (an
    /// error) where they would be silently ignored.
    var callsUpstream: Bool { get }

    /// Builds the targets of one configuration entry. The loader has read
    /// the keys every entry shares (`labels`, `min_interval`,
    /// `max_staleness`, `timeout`, and `proxy_url`/`tls_config` where
    /// `callsUpstream`) and passes them in `common`; the provider
    /// reads the rest, and the loader rejects any key nobody read.
    func targets(from entry: ConfigObject, common: TargetCommon) throws(ConfigError) -> [Target]

    /// Targets described by environment variables alone, used when no
    /// configuration file is given (e.g. `CLOUDFLARE_API_TOKEN`).
    func environmentTargets(_ environment: ConfigEnvironment, common: TargetCommon) throws(ConfigError) -> [Target]

    /// One line for the status page and the "nothing configured" warning:
    /// how to configure this provider.
    var setupHint: String { get }

    /// Metric families the provider keeps beyond its targets' readings
    /// (e.g. counts of notifications received). Called at every scrape.
    func extraFamilies() -> [MetricFamily]

    /// Routes served on the exporter's listener, fixed for the process's life.
    var routes: [ProviderRoute] { get }

    /// Adjusts this provider's targets as a set once all are built from a
    /// configuration (file or environment), before it is checked or
    /// applied; e.g. Cloudflare spreads one credential's rate budget over
    /// the accounts that share it. The default returns them unchanged.
    func settle(_ targets: [Target]) -> [Target]

    /// Called with this provider's targets before a configuration is
    /// applied (at start before the listener opens, and at every reload),
    /// never for `--config.check`: the place to claim what the configuration
    /// needs for itself, such as ZITADEL's lock on its state file. An error
    /// refuses the configuration: the process does not start, and a reload
    /// keeps the previous configuration. The default does nothing.
    func prepare(_ targets: [Target]) throws(ConfigError)

    /// Called with this provider's targets each time a configuration is
    /// accepted (at start and after every successful reload), and only then:
    /// the place to start or restart background work such as provisioning.
    func configurationApplied(_ targets: [Target]) async

    /// Called once at shutdown, after the listener stopped: flush state.
    func shutdown() async
}

extension Provider {
    public var reservedLabels: Set<String> { [] }

    public var callsUpstream: Bool { true }

    public func environmentTargets(_ environment: ConfigEnvironment, common: TargetCommon) throws(ConfigError) -> [Target] {
        []
    }

    public func extraFamilies() -> [MetricFamily] { [] }

    public var routes: [ProviderRoute] { [] }

    public func settle(_ targets: [Target]) -> [Target] { targets }

    public func prepare(_ targets: [Target]) throws(ConfigError) {}

    public func configurationApplied(_ targets: [Target]) async {}

    public func shutdown() async {}
}

/// What every configuration entry may say, whatever its provider.
public struct TargetCommon: Sendable {
    public var labels: [Label]
    public var settings: CollectionSettings
    /// The entry's path in the configuration, for errors found later.
    public var path: String
    /// The entry's `proxy_url` and `tls_config`; its collectors' client
    /// comes from `UpstreamClient.forEntry(_:)`.
    public var connection: EntryConnection

    public init(
        labels: [Label] = [], settings: CollectionSettings = CollectionSettings(), path: String = "",
        connection: EntryConnection = EntryConnection()
    ) {
        self.labels = labels
        self.settings = settings
        self.path = path
        self.connection = connection
    }
}

/// What providers are built with: the process-wide pieces they share.
public struct ProviderContext: Sendable {
    public var logger: Logger
    public var upstreamCounter: UpstreamRequestCounter
    public var clientSettings: UpstreamClient.Settings
    /// `--storage.path`: a directory where providers keep state that must
    /// survive restarts (ZITADEL's notifications); nil when not given.
    public var storagePath: String?
    /// Where a provider marks targets whose data it changed between
    /// collections (pushed data), so the next scrape collects them again.
    public var invalidations: TargetInvalidations
    /// `--cluster.replicas`: how many exporters with this configuration run
    /// side by side. Each polls its providers itself, so a shared rate
    /// limit is split between them, and ZITADEL must call every one.
    public var replicas: Int

    public init(
        logger: Logger,
        upstreamCounter: UpstreamRequestCounter,
        clientSettings: UpstreamClient.Settings = UpstreamClient.Settings(),
        storagePath: String? = nil,
        invalidations: TargetInvalidations = TargetInvalidations(),
        replicas: Int = 1
    ) {
        self.logger = logger
        self.upstreamCounter = upstreamCounter
        self.clientSettings = clientSettings
        self.storagePath = storagePath
        self.invalidations = invalidations
        self.replicas = max(1, replicas)
    }

    /// An HTTP client for one provider, sharing the request counter.
    /// - Parameter defaultRateLimitBlock: how long a 429 without
    ///   `Retry-After` stops calls, when the provider documents its own
    ///   block (Cloudflare: five minutes); nil keeps the shared default.
    public func makeClient(provider: String, defaultRateLimitBlock: Double? = nil) -> UpstreamClient {
        var settings = clientSettings
        if let defaultRateLimitBlock { settings.defaultRateLimitBlock = defaultRateLimitBlock }
        return UpstreamClient(provider: provider, settings: settings, counter: upstreamCounter, logger: logger)
    }
}
