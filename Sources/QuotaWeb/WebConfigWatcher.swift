import QuotaConcurrency
import QuotaConfig
import QuotaHTTP
import QuotaLogging

/// The web configuration in force, and its re-reading.
///
/// exporter-toolkit re-reads the web config (and the certificates) at
/// every new connection. The equivalent here costs a few `stat` calls:
/// `check()` compares the fingerprints of the web config and of every file
/// it names with those seen last, and parses again only when one changed.
/// The exporter calls it once a second and on SIGHUP.
///
/// A new file that does not load (bad YAML, an unreadable certificate, a
/// key that does not match, a context that cannot be built) is logged once
/// and the previous configuration stays in force; so does everything else
/// about the old one. A changed `tls_server_config` goes to `applyTLS`,
/// which builds the new context and hands it to the listener; if that
/// throws, nothing changes.
public final class WebConfigWatcher: Sendable {
    /// What the gate and the listener use now.
    public struct Active: Sendable {
        public var configuration: WebConfiguration
        /// nil when there are no `basic_auth_users`.
        public var authenticator: BasicAuthenticator?
        /// nil without `rate_limit`.
        public var limiter: RequestRateLimiter?

        init(configuration: WebConfiguration, authenticator: BasicAuthenticator?, limiter: RequestRateLimiter? = nil) {
            self.configuration = configuration
            self.authenticator = authenticator
            self.limiter = limiter
        }
    }

    public enum CheckOutcome: Sendable, Equatable {
        /// Nothing changed on disk (or there is no web config file).
        case unchanged
        /// The files changed and the new configuration is in force.
        case reloaded
        /// The files changed and the new configuration was refused (logged).
        case failed(String)
        /// Refused again for the same reason as last time (not logged again).
        case stillFailing
    }

    /// Builds what the listener needs for `settings` (nil: plain HTTP) and
    /// hands it over; throws, changing nothing, when it cannot.
    public typealias TLSApplier = @Sendable (_ settings: TLSServerSettings?) throws(TLSSetupError) -> Void

    private struct State: Sendable {
        var active: Active
        var fingerprints: [FileFingerprint]
        /// The error of the last refused re-read, while the files stay broken.
        var refused: String?
    }

    public let path: String?
    private let loader: WebConfigurationLoader
    private let logger: Logger
    private let cache = VerifiedCredentialCache()
    private let state: Locked<State>
    private let applyTLS: Locked<TLSApplier?>
    private let checking = Lock()

    /// For running without `--web.config.file`: plain HTTP, no auth, no headers.
    public init() {
        path = nil
        loader = WebConfigurationLoader()
        logger = .disabled
        state = Locked(State(active: Active(configuration: .none, authenticator: nil), fingerprints: []))
        applyTLS = Locked(nil)
    }

    /// Loads `path` now; the error names the field when it does not load.
    public init(path: String, loader: WebConfigurationLoader = WebConfigurationLoader(), logger: Logger) throws(ConfigError) {
        self.path = path
        self.loader = loader
        self.logger = logger
        let before = FileFingerprint.of(path)
        let configuration = try loader.load(file: path)
        let active = Active(configuration: configuration, authenticator: Self.authenticator(configuration, cache),
                            limiter: configuration.rateLimit.map { RequestRateLimiter($0) })
        state = Locked(State(active: active, fingerprints: Self.fingerprints(configuration.files, first: before)))
        applyTLS = Locked(nil)
    }

    public var active: Active {
        state.withLock { $0.active }
    }

    public var configuration: WebConfiguration {
        active.configuration
    }

    /// Where a changed `tls_server_config` goes (the listener, once it
    /// exists); without one, TLS changes are refused like a broken file.
    public func setTLSApplier(_ applier: @escaping TLSApplier) {
        applyTLS.withLock { $0 = applier }
    }

    /// Re-reads the web config if it or a file it names changed on disk.
    /// One check at a time (the once-a-second task and SIGHUP may meet), so
    /// an older read never overwrites a newer one.
    @discardableResult
    public func check() -> CheckOutcome {
        checking.lock()
        defer { checking.unlock() }
        return checkNow()
    }

    private func checkNow() -> CheckOutcome {
        guard let path else { return .unchanged }
        let current = state.current
        let known = current.active.configuration.files
        let seen = FileFingerprint.of(known)
        // While a re-read is refused the files are parsed at every check: the
        // fix may be a file the broken config names but the old one did not.
        guard current.refused != nil || seen != current.fingerprints else {
            return .unchanged
        }
        // Fingerprints taken before reading, so a write during the read (a
        // certificate rotated between reading it and the end of this check)
        // shows as a change at the next check instead of being taken for
        // the bytes just read.
        let before = FileFingerprint.of(path)
        let seenBeforeReading = Dictionary(zip(known, seen)) { first, _ in first }
        do throws(ConfigError) {
            let configuration = try loader.load(file: path)
            let fingerprints = Self.fingerprints(configuration.files, first: before, seenBeforeReading: seenBeforeReading)
            if configuration.tls != current.active.configuration.tls {
                guard let applier = applyTLS.withLock({ $0 }) else {
                    throw ConfigError(path: "tls_server_config", message: "cannot change TLS without a listener")
                }
                do throws(TLSSetupError) {
                    try applier(configuration.tls)
                } catch {
                    throw WebConfiguration.error(error, file: path)
                }
            }
            // An unchanged limit keeps its bucket, so a re-read is no refill.
            let limiter = configuration.rateLimit == current.active.configuration.rateLimit
                ? current.active.limiter : configuration.rateLimit.map { RequestRateLimiter($0) }
            let active = Active(configuration: configuration, authenticator: Self.authenticator(configuration, cache), limiter: limiter)
            state.withLock { $0 = State(active: active, fingerprints: fingerprints, refused: nil) }
            logger.info("web configuration reloaded", ["file": path, "tls": configuration.tls == nil ? "off" : "on",
                                                       "basic_auth_users": String(configuration.users.count), "headers": String(configuration.headers.count)])
            return .reloaded
        } catch {
            // One broken edit is one log line, however long it stays broken.
            let message = error.description
            let again = state.withLock { state in
                defer { state.refused = message }
                return state.refused == message
            }
            if again { return .stillFailing }
            logger.error("web configuration re-read failed; keeping the previous one", ["file": path, "err": error.description])
            return .failed(error.description)
        }
    }

    /// Calls `check()` every `interval` until the task is cancelled.
    public func run(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            check()
        }
    }

    /// `first` is the web config's; a file the previous configuration also
    /// named keeps the fingerprint from before the read, one it did not is
    /// stat'ed now (a change to it during this very read is seen only at
    /// its next change).
    private static func fingerprints(_ files: [String], first: FileFingerprint,
                                     seenBeforeReading: [String: FileFingerprint] = [:]) -> [FileFingerprint] {
        guard !files.isEmpty else { return [] }
        return [first] + files.dropFirst().map { seenBeforeReading[$0] ?? FileFingerprint.of($0) }
    }

    private static func authenticator(_ configuration: WebConfiguration, _ cache: VerifiedCredentialCache) -> BasicAuthenticator? {
        configuration.users.isEmpty ? nil : BasicAuthenticator(users: configuration.users, cache: cache)
    }
}
