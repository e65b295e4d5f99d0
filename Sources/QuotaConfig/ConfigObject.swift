/// A strict reader over one JSON object of the configuration.
///
/// Every getter records the key it asked for, present or not. `finish()`
/// then rejects keys nobody asked for, listing the allowed ones, so a typo
/// such as `acount_id` stops the exporter instead of being ignored. It
/// checks nested readers too, so one `finish()` on the root after every
/// provider has read its part covers the whole document.
///
///     let root = try ConfigObject.load(file: path, environment: .process)
///     for target in try root.required("targets", .objects) {
///         let accountID = try target.required("account_id", .nonEmptyString)
///         let token = try target.requiredSecret("api_token")
///         let labels = try target.optional("labels", .labels(reserved: reserved)) ?? []
///     }
///     try root.finish()
///
/// A class because nested readers share the "keys asked for" state with
/// the parent's `finish()`. Not `Sendable`: read a configuration on one task.
public final class ConfigObject {
    /// This object's location, such as `targets[1]`; empty for the root.
    public let path: String
    public let environment: ConfigEnvironment
    /// The raw members, for callers that need to look without being strict.
    public let members: JSONObject
    /// Where the document's fields were written, for YAML documents; nil
    /// for JSON, whose errors keep the form they always had.
    public let sourceMap: ConfigSourceMap?
    private var requestedKeys: Set<String> = []
    private var children: [ConfigObject] = []

    /// Fails with `expected an object, found ...` when `value` is not an object.
    public init(
        _ value: JSONValue, path: String = "", environment: ConfigEnvironment = .process, sourceMap: ConfigSourceMap? = nil
    ) throws(ConfigError) {
        guard case .object(let members) = value else {
            throw ConfigError(path: path, message: "expected an object, found \(value.typeDescription)")
        }
        self.path = path
        self.environment = environment
        self.members = members
        self.sourceMap = sourceMap
    }

    /// Parses a whole configuration document; its top level must be an object.
    public static func parse(_ bytes: [UInt8], environment: ConfigEnvironment = .process) throws(ConfigError) -> ConfigObject {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw ConfigError(path: "", message: "invalid JSON at \(error)")
        }
        return try ConfigObject(document, environment: environment)
    }

    /// Reads and parses the JSON configuration file at `path` through
    /// `environment`. `ConfigFile.load` (module QuotaYAML) reads YAML too.
    public static func load(file path: String, environment: ConfigEnvironment = .process) throws(ConfigError) -> ConfigObject {
        try load(file: path, environment: environment, parser: { bytes, environment throws(ConfigError) in
            try parse(bytes, environment: environment)
        })
    }

    /// Reads the file at `path` and hands its bytes to `parser`; both kinds
    /// of failure name the file the same way whatever the format.
    public static func load(
        file path: String, environment: ConfigEnvironment,
        parser: (_ bytes: [UInt8], _ environment: ConfigEnvironment) throws(ConfigError) -> ConfigObject
    ) throws(ConfigError) -> ConfigObject {
        let bytes: [UInt8]
        do {
            bytes = try environment.readFile(path)
        } catch {
            throw ConfigError(path: "", message: "cannot read config file \"\(path)\": \(Self.reason(error))")
        }
        do {
            return try parser(bytes, environment)
        } catch {
            throw ConfigError(path: error.path, message: "\(path): \(error.message)", location: error.location)
        }
    }

    // MARK: Getters

    /// The value of `key` decoded as `type`; fails if the key is missing.
    public func required<Value>(_ key: String, _ type: ConfigType<Value>) throws(ConfigError) -> Value {
        guard let value = try optional(key, type) else {
            throw ConfigError(path: path, message: "missing required key \"\(key)\"")
        }
        return value
    }

    /// The value of `key` decoded as `type`, or nil if the key is absent.
    /// An explicit `null` is an error, not absence: say nothing to get the default.
    public func optional<Value>(_ key: String, _ type: ConfigType<Value>) throws(ConfigError) -> Value? {
        requestedKeys.insert(key)
        guard let value = members[key] else { return nil }
        return try type.decode(value, context(for: key))
    }

    /// Whether the object has `key`; does not count as asking for it.
    public func contains(_ key: String) -> Bool {
        members[key] != nil
    }

    public var keys: [String] {
        members.keys
    }

    // MARK: Unknown keys

    /// Fails on the first key, in document order, that no getter asked for,
    /// here or in any nested reader created from this one. Call it after
    /// all reading is done.
    public func finish() throws(ConfigError) {
        for key in members.keys where !requestedKeys.contains(key) {
            // The path stays the object's (the message names the key); a YAML
            // document's location points at the key itself, the line to fix.
            throw ConfigError(path: path, message: unknownKeyMessage(key), location: sourceMap?.location(of: ConfigPath.member(key, of: path)))
        }
        for child in children {
            try child.finish()
        }
    }

    private func unknownKeyMessage(_ key: String) -> String {
        let allowed = requestedKeys.sorted()
        var message = "unknown key \(QuotedValue.quote(key))"
        if let suggestion = Suggestion.closest(to: key, among: allowed) {
            message += ", did you mean \"\(suggestion)\"?"
        }
        if allowed.isEmpty {
            message += " (no keys are allowed here)"
        } else {
            message += " (allowed: \(allowed.joined(separator: ", ")))"
        }
        return message
    }

    // MARK: Internals shared with ConfigContext and the secret getters

    func adopt(_ child: ConfigObject) {
        children.append(child)
    }

    func markRequested(_ key: String) {
        requestedKeys.insert(key)
    }

    func context(for key: String) -> ConfigContext {
        ConfigContext(path: ConfigPath.member(key, of: path), environment: environment, owner: self)
    }

    /// A `FileReadError` says only the reason, because callers name the path themselves.
    static func reason(_ error: any Error) -> String {
        (error as? FileReadError)?.reason ?? String(describing: error)
    }
}

@available(*, unavailable, message: "a ConfigObject records which keys were read; use it on one task")
extension ConfigObject: Sendable {}
