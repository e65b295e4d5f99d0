import QuotaCollection
import QuotaConfig
import QuotaExposition
import QuotaYAML

/// The configuration the exporter runs with: every target of every
/// provider, ready to collect.
public struct ExporterConfiguration: Sendable {
    public var targets: [Target]
    /// Upstream requests in flight at once, all targets together.
    public var maxConcurrency: Int
    /// The same per upstream origin and credential (`UpstreamLane`).
    public var maxConcurrencyPerUpstream: Int
    /// Where it came from: a file path, or "environment".
    public var source: String

    public init(targets: [Target], maxConcurrency: Int, maxConcurrencyPerUpstream: Int? = nil, source: String) {
        self.targets = targets
        self.maxConcurrency = maxConcurrency
        self.maxConcurrencyPerUpstream = maxConcurrencyPerUpstream ?? UpstreamSlots.defaultPerUpstream(forGlobal: maxConcurrency)
        self.source = source
    }
}

/// Reads the configuration file (YAML, or JSON: `ConfigFile`) strictly: an unknown key, a wrong type,
/// a bad label name or a missing secret is an error naming the field path,
/// and the exporter refuses to start (or, on reload, keeps the old config).
///
/// ```yaml
/// global: {min_interval: 60s, max_staleness: 10m, timeout: 30s, max_concurrency: 64}
/// cloudflare:
///   - {account_id: "…", api_token_file: /run/secrets/cf, labels: {team: edge}}
/// ```
///
/// For a YAML file, errors carry the field's line and column too
/// (`ConfigSourceMap.locate`), whether they come from a field type or
/// from a check written here with a hand-built path.
public struct ConfigurationLoader: Sendable {
    /// Labels every data series already has; static labels may not reuse them.
    public static let standardLabels: Set<String> = ["provider", "account", "quota", "unit"]

    public var providers: [any Provider]
    public var environment: ConfigEnvironment

    public init(providers: [any Provider], environment: ConfigEnvironment = .process) {
        self.providers = providers
        self.environment = environment
    }

    public func load(file path: String) throws(ConfigError) -> ExporterConfiguration {
        let recorder = FileReadRecorder()
        let root = try ConfigFile.load(file: path, environment: recorder.recording(environment))
        do {
            return try parse(root, source: path, recorder: recorder)
        } catch {
            throw root.sourceMap?.locate(error) ?? error
        }
    }

    /// Parses an already loaded document. Each target's definition is its
    /// entry's JSON; files its secrets came from count only when the
    /// document was loaded through `load(file:)`, which records them.
    public func parse(_ root: ConfigObject, source: String) throws(ConfigError) -> ExporterConfiguration {
        do {
            return try parse(root, source: source, recorder: nil)
        } catch {
            throw root.sourceMap?.locate(error) ?? error
        }
    }

    private func parse(_ root: ConfigObject, source: String, recorder: FileReadRecorder?) throws(ConfigError) -> ExporterConfiguration {
        var defaults = CollectionSettings()
        var maxConcurrency = UpstreamSlots.defaultGlobal
        var perUpstream: Int?
        if let global = try root.optional("global", .object) {
            defaults = try settings(global, inheriting: defaults, path: global.path)
            maxConcurrency = try global.optional("max_concurrency", .int(in: 1...UpstreamSlots.defaultGlobal)) ?? maxConcurrency
            perUpstream = try global.optional("max_concurrency_per_upstream", .int(in: 1...UpstreamSlots.defaultGlobal))
            if let perUpstream, perUpstream > maxConcurrency {
                let prefix = global.path.isEmpty ? "" : global.path + "."
                throw ConfigError(
                    path: prefix + "max_concurrency_per_upstream",
                    message: "must be at most max_concurrency (\(maxConcurrency)), which bounds all upstream requests together")
            }
        }
        var targets: [Target] = []
        var seen: [TargetIdentity: String] = [:]
        for provider in providers {
            guard let entries = try root.optional(provider.name, .objects) else { continue }
            var built: [Target] = []
            for entry in entries {
                let common = try self.common(entry, provider: provider, defaults: defaults)
                _ = recorder?.take()
                var entryTargets = try provider.targets(from: entry, common: common)
                let definition = FileReadRecorder.definition(
                    provider: provider.name, source: JSONValue.object(entry.members).serialized(), files: recorder?.take() ?? [])
                for index in entryTargets.indices {
                    entryTargets[index].definition = definition
                }
                for target in entryTargets {
                    if let first = seen[target.identity] {
                        throw ConfigError(path: entry.path, message: "duplicate target \(target.identity) (already defined at \(first)); every account may appear once per provider")
                    }
                    seen[target.identity] = entry.path
                }
                built.append(contentsOf: entryTargets)
            }
            targets.append(contentsOf: provider.settle(built))
        }
        do {
            try root.finish()
        } catch {
            // An unknown top-level key is most likely a provider name typo.
            if error.path.isEmpty || error.path == root.path {
                throw ConfigError(
                    path: error.path, message: error.message + "; known providers: " + providers.map(\.name).joined(separator: ", "),
                    location: error.location)
            }
            throw error
        }
        return ExporterConfiguration(targets: targets, maxConcurrency: maxConcurrency, maxConcurrencyPerUpstream: perUpstream, source: source)
    }

    /// Targets from environment variables, for running without a file.
    public func loadFromEnvironment() throws(ConfigError) -> ExporterConfiguration {
        var targets: [Target] = []
        let recorder = FileReadRecorder()
        let recording = recorder.recording(environment)
        for provider in providers {
            var built = try provider.environmentTargets(recording, common: TargetCommon(path: "environment"))
            // The variables are the process's and fixed for its life; only files can change.
            let definition = FileReadRecorder.definition(provider: provider.name, source: "environment", files: recorder.take())
            for index in built.indices {
                built[index].definition = definition
            }
            targets.append(contentsOf: provider.settle(built))
        }
        return ExporterConfiguration(targets: targets, maxConcurrency: UpstreamSlots.defaultGlobal, source: "environment")
    }

    private func common(_ entry: ConfigObject, provider: any Provider, defaults: CollectionSettings) throws(ConfigError) -> TargetCommon {
        let reserved = Self.standardLabels.union(provider.reservedLabels).union(["collector", "reason", "code"])
        let labels = try entry.optional("labels", .labels(reserved: reserved)) ?? []
        let settings = try settings(entry, inheriting: defaults, path: entry.path)
        let connection = provider.callsUpstream ? try EntryConnection.parse(entry) : EntryConnection()
        return TargetCommon(labels: labels.map { Label($0.name, $0.value) }, settings: settings, path: entry.path, connection: connection)
    }

    private func settings(_ object: ConfigObject, inheriting defaults: CollectionSettings, path: String) throws(ConfigError) -> CollectionSettings {
        var settings = defaults
        if let value = try object.optional("min_interval", .duration) {
            settings.minInterval = Self.seconds(value)
            settings.minIntervalIsExplicit = true
        }
        if let value = try object.optional("max_staleness", .duration) {
            settings.maxStaleness = Self.seconds(value)
        }
        if let value = try object.optional("timeout", .duration) {
            settings.timeout = Self.seconds(value)
        }
        let prefix = path.isEmpty ? "" : path + "."
        guard settings.minInterval >= 1 else {
            throw ConfigError(path: prefix + "min_interval", message: "must be at least 1s, or every scrape calls the provider")
        }
        guard settings.timeout > 0 else {
            throw ConfigError(path: prefix + "timeout", message: "must be greater than 0")
        }
        guard settings.maxStaleness >= settings.minInterval else {
            throw ConfigError(path: prefix + "max_staleness", message: "must be at least min_interval (\(Int(settings.minInterval))s), or values would vanish between refreshes")
        }
        return settings
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
