import QuotaText

extension ConfigObject {
    /// A credential from `key` or `key_file`; fails if neither is given.
    ///
    /// - `"api_token": "abc"` — inline. If the whole string is `${NAME}`, the
    ///   value comes from environment variable NAME, which must be set and
    ///   non-empty; this keeps tokens out of the file without a second file.
    /// - `"api_token_file": "/run/secrets/cf"` — the file's content with
    ///   leading and trailing whitespace (the usual final newline) removed.
    ///
    /// Giving both is an error, since it is unclear which one wins.
    /// Errors name keys, variables and paths, never the value.
    public func requiredSecret(_ key: String) throws(ConfigError) -> Secret {
        guard let secret = try optionalSecret(key) else {
            throw ConfigError(path: path, message: "missing \(key) (or \(key)_file)")
        }
        return secret
    }

    /// Like `requiredSecret`, but nil when neither `key` nor `key_file` is given.
    public func optionalSecret(_ key: String) throws(ConfigError) -> Secret? {
        let fileKey = key + "_file"
        markRequested(key)
        markRequested(fileKey)
        switch (members[key], members[fileKey]) {
        case (.some, .some):
            throw ConfigError(path: path, message: "give either \(key) or \(fileKey), not both")
        case (let inline?, nil):
            return try inlineSecret(inline, context(for: key))
        case (nil, let pathValue?):
            return try fileSecret(pathValue, context(for: fileKey))
        case (nil, nil):
            return nil
        }
    }

    private func inlineSecret(_ value: JSONValue, _ context: ConfigContext) throws(ConfigError) -> Secret {
        guard let text = context.text(of: value) else { throw context.stringMismatch(expected: "a string", found: value) }
        guard !text.isEmpty else { throw context.error("must not be empty") }
        guard text.hasPrefix("${"), text.hasSuffix("}") else { return Secret(text) }

        let name = String(text.dropFirst(2).dropLast())
        guard LabelName.isValid(name) else {
            // Environment variable names follow the label name grammar. The text is not quoted: it may be a secret.
            throw context.error("invalid environment variable reference (expected ${NAME}, NAME matching [A-Za-z_][A-Za-z0-9_]*)")
        }
        guard let variable = context.environment.variables[name] else {
            throw context.error("environment variable \(name) is not set")
        }
        guard !variable.isEmpty else { throw context.error("environment variable \(name) is empty") }
        return Secret(variable)
    }

    private func fileSecret(_ value: JSONValue, _ context: ConfigContext) throws(ConfigError) -> Secret {
        let path = try ConfigType.nonEmptyString.decode(value, in: context)
        let bytes: [UInt8]
        do {
            bytes = try context.environment.readFile(path)
        } catch {
            throw context.error("cannot read \"\(path)\": \(Self.reason(error))")
        }
        guard let text = UTF8Text.decode(bytes) else {
            throw context.error("\"\(path)\" is not UTF-8 text")
        }
        let secret = text.trimmingWhitespace()
        guard !secret.isEmpty else { throw context.error("file \"\(path)\" is empty") }
        return Secret(secret)
    }
}
