import QuotaConfig
import QuotaHTTP
import QuotaText
import QuotaYAML

/// Reads `--web.config.file` with exporter-toolkit's format and meaning,
/// so an existing file works unchanged:
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt          # relative to this file's directory
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert
///   client_ca_file: clients-ca.crt
///   min_version: TLS12
/// http_server_config:
///   headers:
///     Strict-Transport-Security: max-age=31536000
/// basic_auth_users:
///   prometheus: $2y$10$...
/// ```
///
/// Parsed with the configuration's own YAML parser (JSON works too) and
/// as strictly as exporter-toolkit's `yaml.UnmarshalStrict`: an unknown
/// key is an error, and every error names the field path with its line
/// and column. Files named in the configuration are read at load, through
/// `environment`, so a rotated certificate is new bytes in a new value.
public struct WebConfigurationLoader: Sendable {
    public var environment: ConfigEnvironment

    public init(environment: ConfigEnvironment = .process) {
        self.environment = environment
    }

    /// The five headers exporter-toolkit lets a web config set, with the
    /// values it allows where the header is an enumeration (nil: any value).
    /// Others (`Content-Type`, `Server`, ...) are the server's business.
    public static let configurableHeaders: [(name: String, values: [String]?)] = [
        ("Strict-Transport-Security", nil),
        ("X-Content-Type-Options", ["nosniff"]),
        ("X-Frame-Options", ["deny", "sameorigin"]),
        ("X-XSS-Protection", nil),
        ("Content-Security-Policy", nil),
    ]

    public func load(file path: String) throws(ConfigError) -> WebConfiguration {
        let bytes: [UInt8]
        do {
            bytes = try environment.readFile(path)
        } catch {
            throw ConfigError(path: "", message: "cannot read web config file \"\(path)\": \(Self.reason(error))")
        }
        do {
            var configuration = try parse(bytes, directory: Self.directory(of: path))
            configuration.files.insert(path, at: 0)
            return configuration
        } catch {
            throw ConfigError(path: error.path, message: "\(path): \(error.message)", location: error.location)
        }
    }

    /// Parses a web config whose relative paths are relative to `directory`.
    public func parse(_ bytes: [UInt8], directory: String) throws(ConfigError) -> WebConfiguration {
        // An empty file (or only comments) is an empty configuration, as
        // for exporter-toolkit's YAML reader: plain HTTP, no auth.
        if ConfigFile.format(of: bytes) == .yaml, (try? YAMLParser().parseDocument(bytes))?.value == .null {
            return WebConfiguration()
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return WebConfiguration()
        }
        let root = try ConfigFile.parse(bytes, environment: environment)
        do {
            return try read(root, directory: directory)
        } catch {
            throw root.sourceMap?.locate(error) ?? error
        }
    }

    private func read(_ root: ConfigObject, directory: String) throws(ConfigError) -> WebConfiguration {
        var configuration = WebConfiguration()
        if let tls = try root.optional("tls_server_config", .object) {
            configuration.tls = try readTLS(tls, directory: directory, files: &configuration.files)
        }
        if let http = try root.optional("http_server_config", .object) {
            configuration.http2 = try http.optional("http2", .bool) ?? true
            if let headers = try http.optional("headers", .object) {
                configuration.headers = try readHeaders(headers)
            }
        }
        if let users = try root.optional("basic_auth_users", .object) {
            configuration.users = try readUsers(users)
        }
        if let limit = try root.optional("rate_limit", .object) {
            configuration.rateLimit = try readRateLimit(limit)
        }
        try root.finish()
        return configuration
    }

    // MARK: tls_server_config

    private func readTLS(_ tls: ConfigObject, directory: String, files: inout [String]) throws(ConfigError) -> TLSServerSettings? {
        // Go's zero value: an empty string is the same as no key.
        func text(_ key: String) throws(ConfigError) -> String? {
            guard let value = try tls.optional(key, .string), !value.isEmpty else { return nil }
            return value
        }
        let certFile = try text("cert_file")
        let keyFile = try text("key_file")
        let certInline = try text("cert")
        let keyInline = try text("key")
        let caFile = try text("client_ca_file")
        let caInline = try text("client_ca")
        let clientAuthName = try text("client_auth_type")
        let minVersion = try tls.optional("min_version", .oneOf(TLSServerSettings.ProtocolVersion.self))
        let maxVersion = try tls.optional("max_version", .oneOf(TLSServerSettings.ProtocolVersion.self))
        let cipherSuites = try tls.optional("cipher_suites", .stringArray) ?? []
        let curves = try tls.optional("curve_preferences", .array(of: .oneOf(Self.curveNames))) ?? []
        let preferServer = try tls.optional("prefer_server_cipher_suites", .bool) ?? true
        let allowedSANs = try tls.optional("client_allowed_sans", .stringArray)

        // exporter-toolkit's `IsEnabled`: TLS is on when any of these is set;
        // versions, suites and curves alone leave the listener plain.
        let enabled = [certFile, keyFile, certInline, keyInline, caFile, caInline, clientAuthName].contains { $0 != nil }
        guard enabled else { return nil }
        let path = tls.path

        let clientAuth: TLSServerSettings.ClientAuth
        switch clientAuthName {
        case nil: clientAuth = .noClientCert
        // exporter-toolkit keeps this old name for RequireAnyClientCert.
        case "RequireClientCert": clientAuth = .requireAnyClientCert
        case let name?:
            guard let known = TLSServerSettings.ClientAuth(rawValue: name) else {
                let names = TLSServerSettings.ClientAuth.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw ConfigError(path: ConfigPath.member("client_auth_type", of: path), message: "expected one of \(names), found \(QuotedValue.quote(name))")
            }
            clientAuth = known
        }

        let chain = try material(file: certFile, inline: certInline, fileKey: "cert_file", inlineKey: "cert", what: "a certificate", path: path, directory: directory, files: &files)
        let key = try material(file: keyFile, inline: keyInline, fileKey: "key_file", inlineKey: "key", what: "a private key", path: path, directory: directory, files: &files)
        guard let chain else { throw ConfigError(path: path, message: "missing one of cert or cert_file (TLS is on because \(Self.enabledBy(certFile, keyFile, certInline, keyInline, caFile, caInline, clientAuthName)) is set)") }
        guard let key else { throw ConfigError(path: path, message: "missing one of key or key_file") }
        let clientCAs = try material(file: caFile, inline: caInline, fileKey: "client_ca_file", inlineKey: "client_ca", what: "client CA certificates", path: path, directory: directory, files: &files)

        if clientCAs != nil && clientAuth == .noClientCert {
            throw ConfigError(path: ConfigPath.member(caFile != nil ? "client_ca_file" : "client_ca", of: path),
                              message: "client CAs are configured without a client_auth_type that asks for a certificate")
        }
        if clientCAs == nil && (clientAuth == .verifyClientCertIfGiven || clientAuth == .requireAndVerifyClientCert) {
            throw ConfigError(path: ConfigPath.member("client_auth_type", of: path),
                              message: "\(clientAuth.rawValue) verifies client certificates, so it needs client_ca_file or client_ca")
        }
        if let allowedSANs, clientAuth != .requireAnyClientCert && clientAuth != .requireAndVerifyClientCert {
            _ = allowedSANs
            throw ConfigError(path: ConfigPath.member("client_allowed_sans", of: path),
                              message: "requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert (with \(clientAuth.rawValue) a client may send no certificate to match)")
        }
        let min = minVersion ?? .tls12
        if let maxVersion, maxVersion < min {
            throw ConfigError(path: ConfigPath.member("max_version", of: path), message: "\(maxVersion.rawValue) is below min_version \(min.rawValue)")
        }
        return TLSServerSettings(
            certificateChainPEM: chain, privateKeyPEM: key, clientAuth: clientAuth, clientCAsPEM: clientCAs,
            minVersion: min, maxVersion: maxVersion, cipherSuites: cipherSuites, curvePreferences: curves,
            preferServerCipherSuites: preferServer, clientAllowedSANs: allowedSANs ?? []
        )
    }

    /// Go's names, as exporter-toolkit accepts them.
    public static let curveNames = ["CurveP256", "CurveP384", "CurveP521", "X25519"]

    private static func enabledBy(_ values: String?...) -> String {
        let keys = ["cert_file", "key_file", "cert", "key", "client_ca_file", "client_ca", "client_auth_type"]
        return zip(keys, values).first { $0.1 != nil }?.0 ?? "tls_server_config"
    }

    /// The bytes of `*_file` (resolved against the web config's directory
    /// and recorded in `files`) or of the inline value; both at once is an
    /// error, because which one wins would be a guess (exporter-toolkit
    /// silently takes the file).
    private func material(
        file: String?, inline: String?, fileKey: String, inlineKey: String, what: String,
        path: String, directory: String, files: inout [String]
    ) throws(ConfigError) -> [UInt8]? {
        switch (file, inline) {
        case (.some, .some):
            throw ConfigError(path: path, message: "give either \(fileKey) or \(inlineKey), not both")
        case (let file?, nil):
            let resolved = Self.resolve(file, against: directory)
            files.append(resolved)
            let bytes: [UInt8]
            do {
                bytes = try environment.readFile(resolved)
            } catch {
                throw ConfigError(path: ConfigPath.member(fileKey, of: path), message: "cannot read \"\(resolved)\": \(Self.reason(error))")
            }
            guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
                throw ConfigError(path: ConfigPath.member(fileKey, of: path), message: "\"\(resolved)\" is empty; expected \(what) in PEM")
            }
            return bytes
        case (nil, let inline?):
            return Array(inline.utf8)
        case (nil, nil):
            return nil
        }
    }

    // MARK: http_server_config.headers

    private func readHeaders(_ headers: ConfigObject) throws(ConfigError) -> [WebConfiguration.ResponseHeader] {
        var result: [WebConfiguration.ResponseHeader] = []
        for name in headers.keys {
            let path = ConfigPath.member(name, of: headers.path)
            guard let rule = Self.configurableHeaders.first(where: { $0.name == name }) else {
                var message = "HTTP header \(QuotedValue.quote(name)) can not be configured (allowed: \(Self.configurableHeaders.map(\.name).joined(separator: ", ")))"
                if let spelled = Self.configurableHeaders.first(where: { $0.name.lowercased() == name.lowercased() }) {
                    message += ", did you mean \"\(spelled.name)\"?"
                }
                throw ConfigError(path: path, message: message)
            }
            let value = try headers.required(name, .string)
            if let allowed = rule.values, !allowed.contains(value) {
                throw ConfigError(path: path, message: "expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), found \(QuotedValue.quote(value))")
            }
            // The value goes into every response head as written.
            guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw ConfigError(path: path, message: "must not contain control characters (a line break would end the header)")
            }
            result.append(WebConfiguration.ResponseHeader(name: name, value: value.trimmingWhitespace()))
        }
        return result
    }

    // MARK: rate_limit

    /// exporter-toolkit's `burst` and `interval` (a Go duration there; here
    /// the Prometheus form, which covers what such files hold: `1s`, `100ms`,
    /// `1m30s`). No interval, or 0, means no limit, as there; a burst below 1
    /// with an interval would refuse every request, so it is an error.
    private func readRateLimit(_ limit: ConfigObject) throws(ConfigError) -> RequestRateLimiter.Settings? {
        let burst = try limit.optional("burst", .int(in: 0...1_000_000)) ?? 0
        let interval = try limit.optional("interval", .duration) ?? .zero
        guard interval > .zero else { return nil }
        guard burst >= 1 else {
            throw ConfigError(path: ConfigPath.member("burst", of: limit.path), message: "must be at least 1 when interval is set, or every request is refused")
        }
        return RequestRateLimiter.Settings(burst: burst, interval: interval)
    }

    // MARK: basic_auth_users

    private func readUsers(_ users: ConfigObject) throws(ConfigError) -> [String: BcryptHash] {
        var result: [String: BcryptHash] = [:]
        for name in users.keys {
            let path = ConfigPath.member(name, of: users.path)
            // Not a Secret in exporter-toolkit's sense of `${...}`: written as is.
            let text = try users.required(name, .string)
            guard let hash = BcryptHash(text) else {
                // The value is not quoted: it might be a plain password written by mistake.
                throw ConfigError(path: path, message: "expected a bcrypt hash ($2y$, $2b$ or $2a$, cost 04-31, 60 characters; make one with `htpasswd -nBC 10 \"\" | tr -d ':\\n'`)")
            }
            guard !name.utf8.contains(UInt8(ascii: ":")) else {
                throw ConfigError(path: path, message: "a user name cannot contain \":\" (basic auth splits at the first one)")
            }
            result[name] = hash
        }
        if !result.isEmpty, let problem = LibCrypt.loadError {
            throw ConfigError(path: users.path, message: LibCrypt.Failure.unavailable(problem).description)
        }
        return result
    }

    /// A `FileReadError` says only the reason: the message names the path itself.
    static func reason(_ error: any Error) -> String {
        (error as? FileReadError)?.reason ?? String(describing: error)
    }

    // MARK: Paths

    /// The directory part of `path` ("" for a bare file name), the base
    /// for relative paths, as exporter-toolkit's `filepath.Dir` + `JoinDir`.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
