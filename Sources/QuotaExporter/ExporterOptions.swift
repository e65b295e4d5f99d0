import QuotaConfig
import QuotaLogging

/// The command line, in the Prometheus house style.
public struct ExporterOptions: Sendable {
    /// Outside 9100–9999, which the Prometheus wiki has fully allocated.
    public static let defaultPort = 8795

    public var listenAddresses: [String] = [":\(defaultPort)"]
    public var telemetryPath = "/metrics"
    public var configFile: String?
    /// exporter-toolkit's web config: TLS, basic auth, response headers.
    public var webConfigFile: String?
    /// `POST /-/reload` is refused (403) without it, as in Prometheus.
    public var enableLifecycle = false
    public var configCheck = false
    public var once = false
    public var logLevel: LogLevel = .info
    public var logFormat: LogFormat = .logfmt
    public var timeoutOffset = 0.5
    public var defaultScrapeTimeout = 10.0
    public var maxConnections = 512
    /// `--web.event-loops`: HTTP I/O threads; nil: `defaultEventLoops`.
    public var eventLoops: Int?
    /// Directory for state that must survive restarts (ZITADEL notifications).
    public var storagePath: String?
    /// `--cluster.replicas`: exporters running with this configuration.
    public var replicas = 1
    public var showHelp = false
    public var showVersion = false

    /// More replicas than this is not a highly available exporter but a
    /// typo; each one calls every provider itself.
    public static let replicaRange = 1...16

    /// More I/O threads than this only cost memory: one answers a cached
    /// scrape in tens of microseconds.
    public static let eventLoopRange = 1...64

    /// One HTTP I/O thread per CPU the process may run on, at most 4: a
    /// Prometheus server keeps one connection per target, so only a crowd
    /// of scrapers (several Prometheus replicas and federation, or a load
    /// test) ever keeps more than one busy.
    public static func defaultEventLoops(availableCPUs: Int) -> Int {
        min(max(availableCPUs, 1), 4)
    }

    public init() {}

    static var flagSet: FlagSet {
        var flags = FlagSet()
        flags.repeatable("web.listen-address", default: [":\(defaultPort)"], placeholder: "ADDRESS",
                         help: "Address to listen on: :PORT, HOST:PORT or [IPv6]:PORT. Repeat for several.")
        flags.string("web.telemetry-path", default: "/metrics", placeholder: "PATH", help: "Path under which to expose metrics.")
        flags.string("web.config.file", placeholder: "FILE",
                     help: "Web configuration file in exporter-toolkit's format: TLS, basic auth, response headers. Re-read when it or the files it names change.")
        flags.bool("web.enable-lifecycle", help: "Enable reloading the configuration via HTTP (POST /-/reload). SIGHUP works either way.")
        flags.string("web.max-connections", default: "512", placeholder: "N", help: "Open connections beyond this get 503 and are closed.")
        flags.string("web.event-loops", default: "auto", placeholder: "N",
                     help: "HTTP I/O threads sharing the connections; auto: one per CPU this process may run on, at most 4.")
        flags.string("config.file", placeholder: "FILE",
                     help: "Configuration file, YAML or JSON (told apart by content). Without it, providers are configured from environment variables (e.g. CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID).")
        flags.string("storage.path", placeholder: "DIR",
                     help: "Directory for state kept across restarts (ZITADEL usage notifications and receiver secrets).")
        flags.string("cluster.replicas", default: "1", placeholder: "N",
                     help: "How many exporters run with this configuration (replicas of a StatefulSet). Splits each Cloudflare credential's rate budget between them; each ZITADEL entry must then list N receiver_urls.")
        flags.bool("config.check", help: "Validate the configuration, print a summary and exit (0 valid, 1 invalid).")
        flags.bool("once", help: "Collect every target once, print the exposition to stdout and exit; non-zero if a collector failed.")
        flags.duration("scrape.timeout-offset", default: .milliseconds(500), placeholder: "DURATION",
                       help: "Subtracted from X-Prometheus-Scrape-Timeout-Seconds so the answer arrives before Prometheus gives up.")
        flags.duration("scrape.default-timeout", default: .seconds(10), placeholder: "DURATION",
                       help: "Scrape timeout assumed when the request does not say (curl, a browser).")
        flags.string("log.level", default: "info", placeholder: "LEVEL", help: "Only log messages with the given severity or above: debug, info, warn, error.")
        flags.string("log.format", default: "logfmt", placeholder: "FORMAT", help: "Output format of log messages: logfmt or json.")
        flags.bool("version", help: "Show version and build information, then exit.")
        flags.bool("help", short: "h", help: "Show this help, then exit.")
        return flags
    }

    public static var usage: String {
        flagSet.usage(
            programName: "quota_exporter",
            summary: "Prometheus exporter for the quotas, usage and reset times of cloud and SaaS providers."
        )
    }

    /// Parses arguments (without the program name).
    public static func parse(_ arguments: [String]) throws(FlagError) -> ExporterOptions {
        let parsed = try flagSet.parse(arguments)
        var options = ExporterOptions()
        options.showHelp = parsed.bool("help")
        options.showVersion = parsed.bool("version")
        options.listenAddresses = parsed.strings("web.listen-address")
        options.telemetryPath = parsed.string("web.telemetry-path") ?? "/metrics"
        guard options.telemetryPath.hasPrefix("/"), options.telemetryPath.count > 1 else {
            throw FlagError("--web.telemetry-path must start with / and not be / itself (the status page lives there)")
        }
        guard let connections = Int(parsed.string("web.max-connections") ?? ""), connections >= 1 else {
            throw FlagError("--web.max-connections must be a positive integer")
        }
        options.maxConnections = connections
        let loops = parsed.string("web.event-loops") ?? "auto"
        if loops != "auto" {
            guard let count = Int(loops), eventLoopRange.contains(count) else {
                throw FlagError("--web.event-loops must be auto or an integer from \(eventLoopRange.lowerBound) to \(eventLoopRange.upperBound)")
            }
            options.eventLoops = count
        }
        options.configFile = parsed.string("config.file")
        options.webConfigFile = parsed.string("web.config.file")
        options.enableLifecycle = parsed.bool("web.enable-lifecycle")
        options.storagePath = parsed.string("storage.path")
        guard let replicas = Int(parsed.string("cluster.replicas") ?? ""), ExporterOptions.replicaRange.contains(replicas) else {
            throw FlagError("--cluster.replicas must be an integer from \(replicaRange.lowerBound) to \(replicaRange.upperBound)")
        }
        options.replicas = replicas
        options.configCheck = parsed.bool("config.check")
        options.once = parsed.bool("once")
        guard let level = LogLevel(name: parsed.string("log.level") ?? "info") else {
            throw FlagError("--log.level must be one of debug, info, warn, error")
        }
        options.logLevel = level
        guard let format = LogFormat(rawValue: parsed.string("log.format") ?? "logfmt") else {
            throw FlagError("--log.format must be logfmt or json")
        }
        options.logFormat = format
        options.timeoutOffset = seconds(parsed.duration("scrape.timeout-offset") ?? .milliseconds(500))
        options.defaultScrapeTimeout = seconds(parsed.duration("scrape.default-timeout") ?? .seconds(10))
        guard options.defaultScrapeTimeout > options.timeoutOffset else {
            throw FlagError("--scrape.default-timeout must be longer than --scrape.timeout-offset")
        }
        return options
    }

    private static func seconds(_ duration: Duration) -> Double {
        ConfigurationLoader.seconds(duration)
    }
}
