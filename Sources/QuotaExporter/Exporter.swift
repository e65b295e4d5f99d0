#if canImport(Glibc)
import Glibc
#endif
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCloudflare
import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaExposition
import QuotaHTTP
import QuotaHuaweiCES
import QuotaLogging
import QuotaWeb
import QuotaZitadel

/// The process: parses the command line, loads the configuration, and
/// either checks it, collects once, or serves until SIGTERM/SIGINT.
///
/// Exit codes: 0 success, 1 configuration or collection failure, 2 bad
/// command line.
public enum Exporter {
    /// Every provider the binary knows, in the order of the configuration reference.
    public static func builtInProviders(context: ProviderContext) -> [any Provider] {
        [StaticProvider(), CloudflareProvider(context: context), HuaweiCESProvider(context: context), ZitadelProvider(context: context)]
    }

    public static func main(
        arguments: [String],
        environment: ConfigEnvironment = .process,
        standardOutput: @Sendable (String) -> Void = { print($0, terminator: "") },
        logSink: any LogSink = StandardErrorSink()
    ) async -> Int32 {
        let options: ExporterOptions
        do {
            options = try ExporterOptions.parse(arguments)
        } catch {
            logSink.write("quota_exporter: error: \(error.description), try --help")
            return 2
        }
        if options.showHelp {
            standardOutput(ExporterOptions.usage)
            return 0
        }
        if options.showVersion {
            standardOutput(BuildInfo.versionText + "\n")
            return 0
        }
        // Before anything slow: from here on SIGTERM/SIGHUP are ours.
        let signals = options.once || options.configCheck ? nil : SignalWatcher()
        let logger = Logger(level: options.logLevel, format: options.logFormat, sink: logSink)
        let counter = UpstreamRequestCounter()
        let context = ProviderContext(logger: logger, upstreamCounter: counter, storagePath: options.storagePath, replicas: options.replicas)
        let providers = builtInProviders(context: context)
        let loader = ConfigurationLoader(providers: providers, environment: environment)

        let configuration: ExporterConfiguration
        do throws(ConfigError) {
            if let path = options.configFile {
                configuration = try loader.load(file: path)
            } else {
                configuration = try loader.loadFromEnvironment()
            }
        } catch {
            logger.error("invalid configuration", ["source": options.configFile ?? "environment", "err": error.description])
            return 1
        }
        // The web config is the listener's, so --once does not read it.
        var web = WebConfigWatcher()
        var tlsContext: TLSServerContext?
        if let path = options.webConfigFile, !options.once {
            do throws(ConfigError) {
                web = try WebConfigWatcher(path: path, logger: logger)
                tlsContext = try web.configuration.makeTLSContext(file: path)
            } catch {
                logger.error("invalid web configuration", ["file": path, "err": error.description])
                return 1
            }
        }
        if options.configCheck {
            if let path = web.path {
                standardOutput("web configuration OK: \(path): \(web.configuration.summary)\n")
            }
            let perProvider = Dictionary(grouping: configuration.targets, by: \.identity.provider)
                .map { "\($0.key)=\($0.value.count)" }.sorted().joined(separator: " ")
            standardOutput("configuration OK: \(configuration.source): \(configuration.targets.count) targets\(perProvider.isEmpty ? "" : " (\(perProvider))")\n")
            return 0
        }
        if let path = options.storagePath {
            do throws(StorageDirectory.Failure) {
                try StorageDirectory.prepare(path)
            } catch {
                logger.error("unusable storage directory", ["err": error.description])
                return 1
            }
        }
        let runtime = ExporterRuntime(
            options: options, providers: providers, configuration: configuration, loader: loader,
            counter: counter, invalidations: context.invalidations, logger: logger
        )
        if configuration.targets.isEmpty {
            logger.warn("no provider configured; serving only the exporter's own metrics", ["hint": runtime.setupHint])
        }
        if options.once {
            return await once(runtime, standardOutput: standardOutput)
        }
        return await serve(
            runtime, options: options, logger: logger, configuration: configuration, web: web, tls: tlsContext, signals: signals ?? SignalWatcher())
    }

    /// `--once`: collect everything, print the text exposition, and say by
    /// the exit code whether every collector succeeded.
    static func once(_ runtime: ExporterRuntime, standardOutput: @Sendable (String) -> Void) async -> Int32 {
        let snapshot = await runtime.cache.collectAll()
        standardOutput(runtime.exposition(snapshot, format: .text).map { String(decoding: $0, as: UTF8.self) }.joined())
        let failed = snapshot.targets.filter { $0.up != true }
        for target in failed {
            runtime.logger.error("collector failed", [
                "provider": target.identity.provider, "account": target.identity.account, "collector": target.identity.collector,
                "err": target.lastError?.description ?? "no result",
            ])
        }
        return failed.isEmpty ? 0 : 1
    }

    static func serve(
        _ runtime: ExporterRuntime, options: ExporterOptions, logger: Logger, configuration: ExporterConfiguration,
        web: WebConfigWatcher, tls: TLSServerContext?, signals: SignalWatcher
    ) async -> Int32 {
        var addresses: [ListenAddress] = []
        for text in options.listenAddresses {
            do {
                addresses.append(try ListenAddress(parsing: text))
            } catch {
                logger.error("invalid --web.listen-address", ["address": text, "err": String(describing: error)])
                return 2
            }
        }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(
                listenAddresses: addresses,
                maxConnections: options.maxConnections,
                eventLoops: options.eventLoops ?? ExporterOptions.defaultEventLoops(availableCPUs: HTTPServerConfiguration.availableCPUs()),
                tls: tls
            ),
            handler: runtime.handler(web: web),
            logger: logger
        )
        // A re-read web config with new TLS settings (rotated certificates)
        // builds its context first; only a context that builds replaces the
        // listener's, for connections accepted from then on.
        web.setTLSApplier { [server] (settings: TLSServerSettings?) throws(TLSSetupError) in
            var context: TLSServerContext?
            if let settings {
                context = try TLSServerContext(settings)
            }
            server.replaceTLSContext(context)
        }
        // The configuration is applied before the listener opens: ZITADEL's
        // state files are then locked and loaded and the receiver knows
        // every instance's secret, so the first notification gets a real
        // answer rather than a 404 (loading takes tens of milliseconds, far
        // less than a 503 + Retry-After would cost ZITADEL in retries).
        do throws(ConfigError) {
            try runtime.prepareConfiguration(configuration.targets)
        } catch {
            logger.error("cannot use the configuration", ["source": configuration.source, "err": error.description])
            await runtime.shutdownProviders()
            return 1
        }
        await runtime.applyConfiguration(configuration.targets)
        do {
            try server.start()
        } catch {
            logger.error("cannot listen", ["err": String(describing: error)])
            await runtime.shutdownProviders()
            return 1
        }
        logger.info("listening", [
            "addresses": server.boundAddresses.map(\.description).joined(separator: ","),
            "telemetry_path": options.telemetryPath, "version": BuildInfo.version,
            "source": configuration.source, "targets": String(configuration.targets.count),
            "tls": tls == nil ? "off" : "on", "basic_auth": web.configuration.users.isEmpty ? "off" : "on",
            "lifecycle": options.enableLifecycle ? "on" : "off",
        ])
        runtime.startInitialCollection()
        // exporter-toolkit re-reads the web config at every connection; a few
        // stat calls a second give the same effect (see WebConfigWatcher).
        let webWatch = Task { await web.run(every: .seconds(1)) }

        await signals.run(
            onReload: {
                logger.info("SIGHUP received; reloading configuration")
                _ = await runtime.reload()
                web.check()
            }
        )
        webWatch.cancel()
        logger.info("shutting down: no new connections, finishing requests in flight")
        await server.shutdown(gracePeriod: 5.0)
        await runtime.shutdownProviders()
        logger.info("stopped")
        return 0
    }
}
