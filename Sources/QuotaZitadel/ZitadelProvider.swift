#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaTime
import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaExposition
import QuotaLogging

/// ZITADEL usage quotas. ZITADEL has no API that reads usage; it calls a
/// URL when usage crosses a percentage. So this provider both keeps the
/// quotas in place through the system API (SetQuota, or AddQuota on old
/// servers) with its own receiver as the callUrl, and receives and stores
/// the notifications. Each entry yields two targets per instance:
///
/// - `quotas`: readings computed from the configuration and the stored
///   notifications; no network call, so it is up unless the state file is
///   unusable.
/// - `provisioning` (unless `provisioning: false`): up when the last
///   provisioning attempt succeeded, otherwise down with ZITADEL's error.
///
/// ```json
/// "zitadel": [{"url": "https://zitadel.example.com", "instance_id": "2345…",
///   "system_user": "quota-exporter", "private_key_file": "/run/secrets/zitadel-system-key.pem",
///   "receiver_url": "http://quota-exporter:8795",
///   "quotas": [{"unit": "requests_all_authenticated", "amount": 100000,
///               "from": "2026-01-01T00:00:00Z", "reset_interval": "30d", "limit": true}]}]
/// ```
public final class ZitadelProvider: Provider {
    public let name = "zitadel"
    /// File name of the state inside `--storage.path`.
    public static let stateFileName = "zitadel-state.json"

    private let logger: Logger
    private let http: UpstreamClient
    private let defaultStateFile: String?
    private let stores: StateStoreRegistry
    private let receiver: NotificationReceiver
    private let legacyServers = Locked<[String: Double]>([:])
    /// The provisioning loop of each provisioning target in force, with the
    /// target it was started for.
    private let loops = Locked<[TargetIdentity: (target: Target, task: Task<Void, Never>)]>([:])
    private let timing: ProvisioningTiming
    private let clock: @Sendable () -> Double
    /// `--cluster.replicas`: how many receiver URLs each entry must list.
    private let replicas: Int

    public convenience init(context: ProviderContext) {
        self.init(context: context, storagePath: context.storagePath)
    }

    init(
        context: ProviderContext,
        storagePath: String?,
        timing: ProvisioningTiming = ProvisioningTiming(),
        clock: @escaping @Sendable () -> Double = { WallClock.now() }
    ) {
        self.logger = context.logger
        self.http = context.makeClient(provider: "zitadel")
        self.defaultStateFile = storagePath.map { path in
            (path.hasSuffix("/") ? path : path + "/") + Self.stateFileName
        }
        self.stores = StateStoreRegistry(logger: context.logger.with(["provider": "zitadel"]), clock: clock)
        self.receiver = NotificationReceiver(
            counters: NotificationCounters(), invalidations: context.invalidations, logger: context.logger, clock: clock
        )
        self.timing = timing
        self.clock = clock
        self.replicas = context.replicas
    }

    public var setupHint: String {
        "zitadel: list instances under \"zitadel\" in the config file (url, instance_id, system_user + private_key_file, receiver_url, quotas) and pass --storage.path; see docs/zitadel.md."
    }

    public func targets(from entry: ConfigObject, common: TargetCommon) throws(ConfigError) -> [Target] {
        let instance = try ZitadelInstance.parse(entry, defaultStateFile: defaultStateFile, replicas: replicas)
        let store = stores.store(for: instance.stateFile)
        var targets = [Target(
            identity: TargetIdentity(provider: name, account: instance.instanceID, collector: "quotas"),
            labels: common.labels,
            settings: common.settings,
            collector: ZitadelQuotaCollector(instance: instance, store: store, clock: clock, configPath: entry.path)
        )]
        if instance.provisioning, let credentials = instance.credentials {
            let client = SystemAPIClient(
                url: instance.url, instanceID: instance.instanceID, http: http.forEntry(common),
                authenticator: SystemAPIAuthenticator(credentials: credentials, url: instance.url, clock: clock)
            )
            let provisioner = QuotaProvisioner(
                instance: instance, client: client, store: store,
                legacyServers: legacyServers, timing: timing, logger: logger
            )
            targets.append(Target(
                identity: TargetIdentity(provider: name, account: instance.instanceID, collector: "provisioning"),
                labels: common.labels,
                settings: common.settings,
                collector: ProvisioningCollector(provisioner: provisioner)
            ))
        }
        return targets
    }

    public var routes: [ProviderRoute] {
        let receiver = self.receiver
        // ZITADEL sends only what its callUrl holds; the receiver checks the
        // per-instance secret in the path, so basic auth is not asked for.
        return [ProviderRoute(path: ZitadelInstance.receiverPath, matchesSubpaths: true, methods: ["POST"], authenticatesItself: true) { request in
            await receiver.handle(request)
        }]
    }

    /// Locks and loads every state file before the configuration is used,
    /// so a file another process holds stops start-up (or the reload) with
    /// the file and the holder's pid, and the receiver knows every
    /// instance's secret by the time the listener opens. Other load
    /// failures are logged in `configurationApplied` and refuse only that
    /// instance's notifications.
    public func prepare(_ targets: [Target]) throws(ConfigError) {
        for target in targets {
            guard let quotas = target.collector as? ZitadelQuotaCollector else { continue }
            do {
                try quotas.store.load()
            } catch where error.isLockConflict {
                throw ConfigError(path: quotas.configPath, message: error.description)
            } catch {
                continue
            }
        }
    }

    /// Loads the state files (so a corrupt one is reported at start), points
    /// the receiver at the configured instances, and replaces the
    /// provisioning loops of the previous configuration with new ones.
    public func configurationApplied(_ targets: [Target]) async {
        var endpoints: [String: NotificationReceiver.Endpoint] = [:]
        var provisioning: [Target] = []
        for target in targets {
            if let quotas = target.collector as? ZitadelQuotaCollector {
                do {
                    try quotas.store.load()
                } catch {
                    logger.error("ZITADEL state file unusable; notifications for this instance will be refused until it is fixed", [
                        "provider": name, "account": quotas.instance.instanceID, "err": error.description,
                    ])
                }
                endpoints[quotas.instance.instanceID] = .init(configuredSecret: quotas.instance.receiverSecret, store: quotas.store)
            }
            if target.collector is ProvisioningCollector {
                provisioning.append(target)
            }
        }
        receiver.setEndpoints(endpoints)
        // An unchanged instance keeps its loop (the cache keeps its target,
        // whose collector reports that loop): restarting it would call
        // SetQuota at every reload. Changed and new instances get a new one.
        let previous = loops.current
        var next: [TargetIdentity: (target: Target, task: Task<Void, Never>)] = [:]
        for target in provisioning {
            if let running = previous[target.identity], target.isUnchanged(from: running.target) {
                next[target.identity] = running
                continue
            }
            guard let provisioner = (target.collector as? ProvisioningCollector)?.provisioner else { continue }
            provisioner.status.markLoopStarted()
            next[target.identity] = (target, Task { await provisioner.run() })
        }
        loops.withLock { $0 = next }
        for (identity, running) in previous where next[identity]?.task != running.task {
            running.task.cancel()
        }
    }

    /// Stops the provisioning loops and releases the state files' locks.
    /// Every notification was already written when it was acknowledged, so
    /// there is nothing left to flush.
    public func shutdown() async {
        let running = loops.withLock { loops in
            defer { loops = [:] }
            return loops
        }
        for loop in running.values {
            loop.task.cancel()
        }
        for store in stores.all {
            store.releaseLock()
        }
    }

    /// The provisioning tasks of the configuration in force.
    var runningLoops: [Task<Void, Never>] {
        loops.current.values.map(\.task)
    }

    public func extraFamilies() -> [MetricFamily] {
        var last = MetricFamily(
            name: "quota_exporter_zitadel_last_notification_timestamp_seconds",
            help: "Unix time the last ZITADEL usage notification for this instance was stored; absent before the first.",
            type: .gauge
        )
        for instance in receiver.instanceIDs {
            if let endpoint = receiver.endpoint(instance), let time = endpoint.store.lastReceived(for: instance) {
                last.samples.append(Sample(labels: [Label("account", instance)], value: time))
            }
        }
        return [receiver.counters.family, last]
    }
}
