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
import QuotaHTTP
import QuotaLogging
import QuotaWeb

/// The running exporter without its sockets: the cache, the providers, the
/// configuration source and the HTTP handlers. Tests drive it through
/// `handler` directly or through a real `HTTPServer`.
public final class ExporterRuntime: Sendable {
    public let options: ExporterOptions
    public let providers: [any Provider]
    public let cache: CollectionCache
    let loader: ConfigurationLoader
    let logger: Logger
    let counter: UpstreamRequestCounter
    let state: RuntimeState
    let writer = ExpositionWriter()
    let renderer = SnapshotRenderer()
    let liveRuns = LiveGzipRuns()
    let keptLive = KeptRenderings()
    let keptResponses = KeptResponses()
    private let lastAccept = Locked<(header: String, format: ExpositionFormat)?>(nil)
    let clock: @Sendable () -> Double

    public init(
        options: ExporterOptions,
        providers: [any Provider],
        configuration: ExporterConfiguration,
        loader: ConfigurationLoader,
        counter: UpstreamRequestCounter,
        invalidations: TargetInvalidations? = nil,
        logger: Logger,
        clock: @escaping @Sendable () -> Double = { WallClock.now() }
    ) {
        self.options = options
        self.providers = providers
        self.loader = loader
        self.counter = counter
        self.logger = logger
        self.clock = clock
        self.state = RuntimeState(loadedAt: clock())
        self.cache = CollectionCache(
            targets: configuration.targets, maxConcurrency: configuration.maxConcurrency,
            maxConcurrencyPerUpstream: configuration.maxConcurrencyPerUpstream, invalidations: invalidations, logger: logger, clock: clock
        )
    }

    /// What the HTTP server calls: the routes behind the web config's gate
    /// (basic auth, response headers). Let through without basic auth:
    /// ZITADEL's receiver, which checks the secret in its path because
    /// ZITADEL can send nothing but its callUrl, and the two probes, which
    /// say only "alive"/"ready" and which a kubelet asks without credentials.
    public func handler(web watcher: WebConfigWatcher) -> any HTTPHandler {
        let router = self.router
        return WebGate(router, watcher: watcher, skipsBasicAuth: { router.skipsBasicAuth($0) })
    }

    /// The routes without the web config's gate.
    public var handler: any HTTPHandler {
        router
    }

    var router: Router {
        var router = Router()
        let telemetryPath = options.telemetryPath
        router.add(telemetryPath, methods: ["GET"], immediate: { [self] request in immediateMetrics(request) }) { [self] request in
            await metrics(request)
        }
        router.add("/", methods: ["GET"]) { [self] _ in await statusPage() }
        router.add("/-/healthy", methods: ["GET"], skipsBasicAuth: true) { _ in .text(200, "Healthy\n") }
        router.add("/-/ready", methods: ["GET"], skipsBasicAuth: true) { [self] _ in
            state.isReady ? .text(200, "Ready\n") : .text(503, "Not ready: first collection still running\n")
        }
        let lifecycle = options.enableLifecycle
        router.add("/-/reload", methods: ["POST", "PUT"]) { [self] _ in
            // Prometheus' rule: reloading over HTTP is opt-in; SIGHUP always works.
            guard lifecycle else {
                return .text(403, "Lifecycle API is not enabled; start the exporter with --web.enable-lifecycle (or send SIGHUP).\n")
            }
            switch await reload() {
            case .success: return .text(200, "Reloaded\n")
            case .failure(let error): return .text(500, "Reload failed, previous configuration kept: \(error)\n")
            }
        }
        for provider in providers {
            for route in provider.routes {
                router.add(route.path, methods: route.methods, subpaths: route.matchesSubpaths, skipsBasicAuth: route.authenticatesItself, route.handler)
            }
        }
        return router
    }

    /// Lets each provider claim what its targets need (ZITADEL's state file
    /// locks); an error means the configuration cannot be used.
    public func prepareConfiguration(_ targets: [Target]) throws(ConfigError) {
        for provider in providers {
            try provider.prepare(targets.filter { $0.identity.provider == provider.name })
        }
    }

    /// Tells each provider which of its targets are now in force. Under
    /// the cache's request slots, so that background work a provider starts
    /// here (ZITADEL's provisioning loop) shares `max_concurrency` with the
    /// collections.
    public func applyConfiguration(_ targets: [Target]) async {
        await UpstreamSlots.$current.withValue(cache.slots) {
            for provider in providers {
                await provider.configurationApplied(targets.filter { $0.identity.provider == provider.name })
            }
        }
    }

    /// Lets providers flush their state; call after the listener stopped.
    public func shutdownProviders() async {
        for provider in providers {
            await provider.shutdown()
        }
    }

    /// Collects every target once in the background so the first scrape
    /// finds data; `/-/ready` turns 200 when every target has been tried.
    public func startInitialCollection() {
        Task {
            _ = await cache.refresh(deadline: .now + .seconds(86_400))
            state.markReady()
            logger.debug("initial collection finished")
        }
    }

    /// Re-reads the configuration. A bad new configuration is logged and
    /// the old one kept, so a typo never takes monitoring down.
    public func reload() async -> Result<Void, ConfigError> {
        let result: Result<ExporterConfiguration, ConfigError>
        do throws(ConfigError) {
            let configuration: ExporterConfiguration
            if let file = options.configFile {
                configuration = try loader.load(file: file)
            } else {
                configuration = try loader.loadFromEnvironment()
            }
            try prepareConfiguration(configuration.targets)
            result = .success(configuration)
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let configuration):
            await cache.replaceTargets(
                configuration.targets, maxConcurrency: configuration.maxConcurrency,
                maxConcurrencyPerUpstream: configuration.maxConcurrencyPerUpstream)
            await applyConfiguration(configuration.targets)
            state.reloadSucceeded(at: clock())
            logger.info("configuration reloaded", ["source": configuration.source, "targets": String(configuration.targets.count)])
            return .success(())
        case .failure(let error):
            state.reloadFailed(error.description)
            logger.error("configuration reload failed; keeping the previous configuration", ["err": error.description])
            return .failure(error)
        }
    }

    func metrics(_ request: HTTPRequest) async -> HTTPResponse {
        let budget = scrapeBudget(request.headers["X-Prometheus-Scrape-Timeout-Seconds"])
        // In range by construction: 0.1 s to `maxScrapeBudget`.
        let snapshot = await cache.refresh(deadline: .now + .milliseconds(Int64((budget * 1000).rounded())))
        let format = negotiatedFormat(request.headers["Accept"])
        let coding = ContentCoding.negotiate(acceptEncoding: request.headers["Accept-Encoding"])
        // Kept like one made on the loop: the next scrape may reuse it, and
        // keeping it lets go of responses made from older snapshots, which
        // would otherwise hold their renderings while every scrape comes
        // this way (targets due at each scrape).
        let inputs = liveInputs()
        let response = metricsResponse(snapshot, format: format, coding: coding, stable: nil, inputs: inputs)
        return keptResponses.keep(response, serial: snapshot.serial, format: format, coding: coding, inputs: inputs)
    }

    /// `/metrics` answered on the HTTP event loop, when the answer is
    /// ready: the cache has a snapshot that needs no collection (nothing
    /// due, in flight or invalidated) and its rendering in the asked
    /// format (and its gzip form, if asked) is kept. What is left is the
    /// live families (`/proc/self/stat` and a few counters), the merge and
    /// the head: the same bytes `metrics` would send. When those live
    /// families' inputs are what they were at the last such scrape (and the
    /// snapshot, format and coding too), even that is skipped: the kept
    /// response goes out again. Nil whenever anything must be collected,
    /// waited for, rendered or compressed beyond that.
    func immediateMetrics(_ request: HTTPRequest) -> HTTPResponse? {
        guard let snapshot = cache.readySnapshot() else { return nil }
        let format = negotiatedFormat(request.headers["Accept"])
        let coding = ContentCoding.negotiate(acceptEncoding: request.headers["Accept-Encoding"])
        let inputs = liveInputs()
        if let kept = keptResponses.response(serial: snapshot.serial, format: format, coding: coding, inputs: inputs) {
            return kept
        }
        guard let stable = renderer.kept(snapshot, format: format, compressed: coding == .gzip) else { return nil }
        let response = metricsResponse(snapshot, format: format, coding: coding, stable: stable, inputs: inputs)
        return keptResponses.keep(response, serial: snapshot.serial, format: format, coding: coding, inputs: inputs)
    }

    private func metricsResponse(
        _ snapshot: CollectionSnapshot, format: ExpositionFormat, coding: ContentCoding, stable: SnapshotRenderer.Stable?,
        inputs: LiveInputs
    ) -> HTTPResponse {
        let body = exposition(snapshot, format: format, coding: coding, stable: stable, inputs: inputs)
        var headers: HTTPHeaders = ["Content-Type": format.contentType, "Vary": "Accept-Encoding"]
        if let encoding = body.coding.headerValue {
            headers.add("Content-Encoding", encoding)
        }
        return HTTPResponse(status: 200, headers: headers, bodyParts: body.chunks)
    }

    /// `ExpositionFormat.negotiate`, remembered for the last `Accept` value:
    /// a Prometheus server sends the same long header at every scrape.
    private func negotiatedFormat(_ accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        if let last = lastAccept.withLock({ $0 }), last.header == accept { return last.format }
        let format = ExpositionFormat.negotiate(accept: accept)
        lastAccept.withLock { $0 = (accept, format) }
        return format
    }

    /// The body of `/metrics`: the snapshot's families (quota values and
    /// collector health), kept rendered per account and per family by
    /// `SnapshotRenderer`, interleaved with the families that change at
    /// every scrape (process, build, reload, upstream requests) so the
    /// whole is sorted by family name. Each family is its own chunk, written
    /// with one `sendmsg`, uncopied. For gzip the cached families are
    /// compressed once and kept; only the live ones are compressed now.
    func exposition(_ snapshot: CollectionSnapshot, format: ExpositionFormat) -> [[UInt8]] {
        exposition(snapshot, format: format, coding: .identity).chunks
    }

    func exposition(
        _ snapshot: CollectionSnapshot, format: ExpositionFormat, coding: ContentCoding, stable kept: SnapshotRenderer.Stable? = nil,
        inputs: LiveInputs? = nil
    ) -> (chunks: [[UInt8]], coding: ContentCoding) {
        let stable = kept ?? renderer.stable(snapshot, format: format) { problem in
            if state.isNewProblem(problem) {
                logger.warn("series dropped from exposition", ["problem": problem])
            }
        }
        let live = liveRendered(inputs ?? liveInputs(), format: format)

        // Merge the two name-sorted lists; on a tie the cached family wins
        // and the live one is left out (two families of one name would make
        // Prometheus reject the whole scrape).
        var order: [(cached: Bool, index: Int)] = []
        order.reserveCapacity(stable.families.count + live.count)
        var next = (stable: 0, live: 0)
        var lastName: String?
        while next.stable < stable.families.count || next.live < live.count {
            let takeCached = next.live == live.count
                || (next.stable < stable.families.count && !live[next.live].name.utf8Precedes(stable.families[next.stable].name))
            let family = takeCached ? stable.families[next.stable] : live[next.live]
            let item = (cached: takeCached, index: takeCached ? next.stable : next.live)
            if takeCached { next.stable += 1 } else { next.live += 1 }
            if family.name == lastName {
                let problem = "family \(family.name) is exported twice; the second is left out"
                if state.isNewProblem(problem) {
                    logger.warn("series dropped from exposition", ["problem": problem])
                }
                continue
            }
            lastName = family.name
            order.append(item)
        }
        let end: [UInt8]? = format == .openMetrics ? Self.endOfFile : nil

        if coding == .gzip, let chunks = gzipChunks(order, stable: stable, live: live, end: end) {
            return (chunks, .gzip)
        }
        var chunks = order.map { $0.cached ? stable.families[$0.index].bytes : live[$0.index].bytes }
        if let end { chunks.append(end) }
        return (chunks, .identity)
    }

    private static let endOfFile = Array("# EOF\n".utf8)

    /// One gzip member: cached families' kept compressed bytes, and each
    /// run of live families compressed together now. Nil if zlib failed.
    private func gzipChunks(
        _ order: [(cached: Bool, index: Int)], stable: SnapshotRenderer.Stable, live: [RenderedFamily], end: [UInt8]?
    ) -> [[UInt8]]? {
        var parts: [GzipPart] = []
        var pending: [[UInt8]] = []
        var run = 0
        func flush() -> Bool {
            guard !pending.isEmpty else { return true }
            guard let part = liveRuns.part(run: run, format: stable.format, of: pending) else { return false }
            parts.append(part)
            pending.removeAll(keepingCapacity: true)
            run += 1
            return true
        }
        for item in order {
            if item.cached {
                guard flush(), let part = stable.gzip(item.index) else { return nil }
                parts.append(part)
            } else {
                pending.append(live[item.index].bytes)
            }
        }
        if let end { pending.append(end) }
        guard flush() else { return nil }
        return GzipBody.chunks(parts)
    }

    /// What the live families are made of, as of now.
    func liveInputs() -> LiveInputs {
        let reload = state.lastReload
        return LiveInputs(
            process: ProcessMetrics.currentReadings().values,
            reloadSuccessful: reload.successful,
            lastReload: reload.lastSuccess,
            upstream: counter.family,
            extras: providers.map { $0.extraFamilies() }
        )
    }

    /// The families rendered at every scrape, sorted by name.
    func liveRendered(format: ExpositionFormat) -> [RenderedFamily] {
        liveRendered(liveInputs(), format: format)
    }

    func liveRendered(_ inputs: LiveInputs, format: ExpositionFormat) -> [RenderedFamily] {
        let fixed = LiveFamilies.of(format)
        var families = ProcessMetrics.rendered(inputs.process, format: format)
        families.append(fixed.buildInfo)
        families.append(fixed.reloadTimestamp.rendered(inputs.lastReload))
        families.append(fixed.reloadSuccessful.rendered(inputs.reloadSuccessful ? 1 : 0))
        if let upstream = keptLive.rendered(inputs.upstream, format: format, writer: writer) {
            families.append(upstream)
        }
        // Providers' own families (ZITADEL's notification counters): names
        // and label names are the providers' constants, label values are
        // escaped as always.
        var extras = 0
        for provided in inputs.extras {
            for family in provided {
                if let rendered = keptLive.rendered(family, format: format, writer: writer) {
                    families.append(rendered)
                    extras += 1
                }
            }
        }
        // Everything before the providers' families is made in name order
        // (a test holds it to that); theirs are checked, and sorted only if
        // they need it, which costs less than sorting every scrape.
        let fixedCount = families.count - extras
        if extras > 0, !(max(fixedCount, 1)..<families.count).allSatisfy({ families[$0 - 1].name.utf8Precedes(families[$0].name) }) {
            families.sort { $0.name.utf8Precedes($1.name) }
        }
        return families
    }

    /// The longest a scrape waits for collection, whatever it announces:
    /// longer than any sensible `scrape_timeout`, and small enough that the
    /// deadline arithmetic can never overflow.
    static let maxScrapeBudget = 86_400.0

    /// Seconds this scrape may wait for collection: what Prometheus says it
    /// will wait (`X-Prometheus-Scrape-Timeout-Seconds`), minus the offset,
    /// clamped to 0.1 s ... `maxScrapeBudget`. The header comes from anyone
    /// who can reach the port, so it is range-checked before any arithmetic:
    /// anything but a plain positive decimal number (a sign, NaN, `inf`, hex,
    /// garbage, zero, more than 32 characters) counts as absent and the
    /// default timeout applies; a huge value (`1e16`) is clamped.
    func scrapeBudget(_ header: String?) -> Double {
        let announced = header.flatMap(Self.positiveSeconds) ?? options.defaultScrapeTimeout
        let budget = announced - options.timeoutOffset
        guard budget.isFinite else { return Self.maxScrapeBudget }  // only from flags; still never trap
        return min(max(0.1, budget), Self.maxScrapeBudget)
    }

    /// `1*DIGIT ["." 1*DIGIT] [("e" / "E") ["+" / "-"] 1*DIGIT]`, finite
    /// and above zero; nil otherwise.
    private static func positiveSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        let allowed: (UInt8) -> Bool = { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
        guard let first = bytes.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9"),
              bytes.count <= 32, bytes.allSatisfy(allowed),
              let value = Double(text), value.isFinite, value > 0 else { return nil }
        return value
    }

    /// Everything `/metrics` serves, for one snapshot.
    public func families(_ snapshot: CollectionSnapshot) -> [MetricFamily] {
        Self.snapshotFamilies(snapshot) + liveFamilies()
    }

    static func snapshotFamilies(_ snapshot: CollectionSnapshot) -> [MetricFamily] {
        SnapshotMetrics.quotaFamilies(snapshot) + SnapshotMetrics.collectorFamilies(snapshot)
    }

    func liveFamilies() -> [MetricFamily] {
        var families = [counter.family, BuildInfo.family]
        let reload = state.lastReload
        families.append(MetricFamily(
            name: "quota_exporter_config_last_reload_successful", help: "Whether the last configuration reload attempt was successful.",
            type: .gauge, samples: [Sample(value: reload.successful ? 1 : 0)]
        ))
        families.append(MetricFamily(
            name: "quota_exporter_config_last_reload_success_timestamp_seconds", help: "Timestamp of the last successful configuration reload.",
            type: .gauge, samples: [Sample(value: reload.lastSuccess)]
        ))
        for provider in providers {
            families += provider.extraFamilies()
        }
        families += ProcessMetrics.families()
        return families
    }

    func statusPage() async -> HTTPResponse {
        let snapshot = await cache.snapshot()
        let page = StatusPage(
            telemetryPath: options.telemetryPath,
            configFile: options.configFile,
            configProblem: state.lastReload.problem,
            setupHint: setupHint
        )
        let html = page.render(snapshot, now: clock())
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
    }

    /// What to configure, when nothing is.
    public var setupHint: String {
        "No provider is configured. Pass --config.file with a YAML or JSON configuration (see examples/config.yaml), or set provider environment variables. "
            + providers.map(\.setupHint).joined(separator: " ")
    }
}
