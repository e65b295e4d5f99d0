import Foundation
import QuotaConfig
import LoopbackSupport
import QuotaHTTP
import Testing
@testable import QuotaWeb

/// The web config's mapping to `TLSServerSettings`, headers and users.
/// Building a TLS context from the settings is the TLS listener's part and
/// is tested with it.
@Suite struct WebConfigurationLoaderTests {
    static let hash = "$2y$10$" + String(repeating: "a", count: 53)
    static let files = [
        "/etc/qe/certs/server.pem": "CERT\n",
        "/etc/qe/certs/server.key": "KEY\n",
        "/etc/qe/clients.pem": "CA\n",
        "/abs/other.pem": "OTHER\n",
    ]

    private func load(_ yaml: String, path: String = "/etc/qe/web.yml", files: [String: String] = files) throws(ConfigError) -> WebConfiguration {
        var all = files
        all[path] = yaml
        return try WebConfigurationLoader(environment: .inMemory(files: all)).load(file: path)
    }

    private func failure(_ yaml: String, files: [String: String] = files) -> String {
        do {
            _ = try load(yaml, files: files)
            return "loaded"
        } catch {
            return error.description
        }
    }

    @Test func mapsEveryTLSField() throws {
        let web = try load("""
            tls_server_config:
              cert_file: certs/server.pem
              key_file: certs/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: clients.pem
              min_version: TLS13
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]
              curve_preferences: [X25519, CurveP256]
              prefer_server_cipher_suites: false
              client_allowed_sans: [prometheus.example.com, 10.0.0.1]
            """)
        let expected = TLSServerSettings(
            certificateChainPEM: Array("CERT\n".utf8), privateKeyPEM: Array("KEY\n".utf8),
            clientAuth: .requireAndVerifyClientCert, clientCAsPEM: Array("CA\n".utf8),
            minVersion: .tls13, maxVersion: .tls13,
            cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"],
            curvePreferences: ["X25519", "CurveP256"], preferServerCipherSuites: false,
            clientAllowedSANs: ["prometheus.example.com", "10.0.0.1"]
        )
        #expect(web.tls == expected)
        #expect(web.files == ["/etc/qe/web.yml", "/etc/qe/certs/server.pem", "/etc/qe/certs/server.key", "/etc/qe/clients.pem"])
        #expect(web.users.isEmpty)
        #expect(web.headers.isEmpty)
    }

    @Test func defaultsAreExporterToolkits() throws {
        let web = try load("tls_server_config:\n  cert_file: /etc/qe/certs/server.pem\n  key_file: /etc/qe/certs/server.key\n")
        let tls = try #require(web.tls)
        #expect(tls.minVersion == .tls12)
        #expect(tls.maxVersion == nil)
        #expect(tls.clientAuth == .noClientCert)
        #expect(tls.clientCAsPEM == nil)
        #expect(tls.preferServerCipherSuites)
        #expect(tls.cipherSuites.isEmpty && tls.curvePreferences.isEmpty && tls.clientAllowedSANs.isEmpty)
        #expect(web.http2)
    }

    /// Relative paths are relative to the web config's directory
    /// (exporter-toolkit's `filepath.Dir` + `JoinDir`); absolute ones stay.
    @Test func resolvesPathsAgainstTheFilesDirectory() throws {
        #expect(WebConfigurationLoader.directory(of: "/etc/qe/web.yml") == "/etc/qe")
        #expect(WebConfigurationLoader.directory(of: "web.yml") == "")
        #expect(WebConfigurationLoader.directory(of: "/web.yml") == "/")
        #expect(WebConfigurationLoader.directory(of: "conf/web.yml") == "conf")
        #expect(WebConfigurationLoader.resolve("a.pem", against: "") == "a.pem")
        #expect(WebConfigurationLoader.resolve("a.pem", against: "/") == "/a.pem")
        #expect(WebConfigurationLoader.resolve("/abs/a.pem", against: "/etc") == "/abs/a.pem")
        #expect(WebConfigurationLoader.resolve("../a.pem", against: "conf") == "conf/../a.pem")

        let web = try load("tls_server_config:\n  cert_file: ../other.pem\n  key_file: /abs/other.pem\n", path: "/abs/sub/web.yml",
                           files: ["/abs/sub/../other.pem": "C", "/abs/other.pem": "K"])
        #expect(web.tls?.certificateChainPEM == Array("C".utf8))
        #expect(web.files == ["/abs/sub/web.yml", "/abs/sub/../other.pem", "/abs/other.pem"])
    }

    @Test func inlineMaterial() throws {
        let web = try load("""
            tls_server_config:
              cert: |
                -----BEGIN CERTIFICATE-----
                MIIB
                -----END CERTIFICATE-----
              key: "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"
              client_auth_type: VerifyClientCertIfGiven
              client_ca: "CA PEM"
            """)
        let tls = try #require(web.tls)
        #expect(tls.certificateChainPEM == Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8))
        #expect(tls.privateKeyPEM == Array("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".utf8))
        #expect(tls.clientCAsPEM == Array("CA PEM".utf8))
        #expect(tls.clientAuth == .verifyClientCertIfGiven)
        #expect(web.files == ["/etc/qe/web.yml"])
        #expect(!tls.description.contains("MIIE"), "the key is never printed")
    }

    /// As in exporter-toolkit, TLS is on only when a certificate, key, CA or
    /// client-auth type is given; versions alone leave it off.
    @Test func tlsOnlyWhenSomethingIsGiven() throws {
        #expect(try load("").tls == nil)
        #expect(try load("tls_server_config: {}\n").tls == nil)
        #expect(try load("tls_server_config:\n  min_version: TLS13\n  cert_file: \"\"\n").tls == nil)
        #expect(failure("tls_server_config:\n  client_auth_type: RequireAnyClientCert\n")
            .contains("missing one of cert or cert_file (TLS is on because client_auth_type is set)"))
    }

    @Test func oldClientAuthNameIsKept() throws {
        let web = try load("tls_server_config:\n  cert: C\n  key: K\n  client_auth_type: RequireClientCert\n")
        #expect(web.tls?.clientAuth == .requireAnyClientCert)
    }

    @Test func headersAndUsers() throws {
        let web = try load("""
            http_server_config:
              http2: false
              headers:
                Strict-Transport-Security: max-age=31536000; includeSubDomains
                X-Frame-Options: deny
                X-Content-Type-Options: nosniff
                Content-Security-Policy: default-src 'self'
                X-XSS-Protection: 1; mode=block
            basic_auth_users:
              prometheus: \(Self.hash)
              "alice smith": \(Self.hash)
            """)
        #expect(web.tls == nil)
        #expect(!web.http2)
        #expect(web.headers.map(\.name) == ["Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options", "Content-Security-Policy", "X-XSS-Protection"])
        #expect(web.headers[0].value == "max-age=31536000; includeSubDomains")
        #expect(Set(web.users.keys) == ["prometheus", "alice smith"])
        #expect(web.users["prometheus"]?.cost == 10)
    }

    @Test func jsonWorksToo() throws {
        let web = try load(#"{"basic_auth_users": {"u": "\#(Self.hash)"}}"#)
        #expect(web.users.count == 1)
    }

    /// Errors name the field path with its line and column, like the
    /// configuration file's.
    @Test(arguments: [
        ("tls_server_config:\n  cert_file: nope.pem\n  key_file: certs/server.key\n",
         #"tls_server_config.cert_file (line 2, column 3): /etc/qe/web.yml: cannot read "/etc/qe/nope.pem": No such file or directory"#),
        ("tls_server_confg: {}\n",
         #"line 1, column 1: /etc/qe/web.yml: unknown key "tls_server_c"#),
        ("rate_limit: {burst: 1, intervall: 1s}\n",
         #"rate_limit (line 1, column 24): /etc/qe/web.yml: unknown key "intervall", did you mean "interval"?"#),
        ("tls_server_config:\n  cert: C\n  key: K\n  ciphers: []\n",
         #"tls_server_config (line 4, column 3): /etc/qe/web.yml: unknown key "ciphers""#),
        ("tls_server_config:\n  cert: C\n  key: K\n  client_auth_type: RequireCert\n",
         #"tls_server_config.client_auth_type (line 4, column 3): /etc/qe/web.yml: expected one of"#),
        ("tls_server_config:\n  cert: C\n",
         "missing one of key or key_file"),
        ("tls_server_config:\n  cert: C\n  cert_file: certs/server.pem\n  key: K\n",
         "give either cert_file or cert, not both"),
        ("tls_server_config:\n  cert: C\n  key: K\n  client_ca_file: clients.pem\n",
         "tls_server_config.client_ca_file (line 4, column 3): /etc/qe/web.yml: client CAs are configured without a client_auth_type"),
        ("tls_server_config:\n  cert: C\n  key: K\n  client_auth_type: RequireAndVerifyClientCert\n",
         "needs client_ca_file or client_ca"),
        ("tls_server_config:\n  cert: C\n  key: K\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca: X\n  client_allowed_sans: [a]\n",
         "tls_server_config.client_allowed_sans (line 6, column 3): /etc/qe/web.yml: requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert"),
        ("tls_server_config:\n  cert: C\n  key: K\n  min_version: TLS13\n  max_version: TLS12\n",
         "tls_server_config.max_version (line 5, column 3): /etc/qe/web.yml: TLS12 is below min_version TLS13"),
        ("tls_server_config:\n  cert: C\n  key: K\n  min_version: TLS1.2\n",
         #"tls_server_config.min_version (line 4, column 3): /etc/qe/web.yml: expected one of "TLS10", "TLS11", "TLS12", "TLS13""#),
        ("tls_server_config:\n  cert: C\n  key: K\n  curve_preferences: [CurveP256, P-384]\n",
         "tls_server_config.curve_preferences[1] (line 4, column 34)"),
        ("tls_server_config:\n  cert: C\n  key: K\n  prefer_server_cipher_suites: yes\n",
         "tls_server_config.prefer_server_cipher_suites (line 4, column 3): /etc/qe/web.yml: expected true or false"),
        ("http_server_config:\n  headers:\n    Content-Type: text/html\n",
         #"http_server_config.headers.Content-Type (line 3, column 5): /etc/qe/web.yml: HTTP header "Content-Type" can not be configured"#),
        ("http_server_config:\n  headers:\n    strict-transport-security: max-age=1\n",
         #"did you mean "Strict-Transport-Security"?"#),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
         #"http_server_config.headers.X-Frame-Options (line 3, column 5): /etc/qe/web.yml: expected one of "deny", "sameorigin", found "allow""#),
        ("http_server_config:\n  http2: 1\n",
         "http_server_config.http2 (line 2, column 3): /etc/qe/web.yml: expected true or false"),
        ("basic_auth_users:\n  prometheus: hunter2\n",
         "basic_auth_users.prometheus (line 2, column 3): /etc/qe/web.yml: expected a bcrypt hash"),
        ("basic_auth_users:\n  \"a:b\": \(hash)\n",
         "cannot contain \":\""),
        ("basic_auth_users: [a]\n",
         "basic_auth_users (line 1, column 1): /etc/qe/web.yml: expected an object, found an array"),
        ("tls_server_config:\n  cert: &a C\n",
         "/etc/qe/web.yml: invalid YAML at line 2, column 9"),
    ])
    func errorsNameTheField(_ yaml: String, _ expected: String) {
        let message = failure(yaml)
        #expect(message.contains(expected), "\(message)")
    }

    @Test func badHashIsNotEchoed() {
        let message = failure("basic_auth_users:\n  prometheus: hunter2\n")
        #expect(!message.contains("hunter2"))
    }

    @Test func missingFileIsNamed() {
        do {
            _ = try WebConfigurationLoader(environment: .inMemory()).load(file: "/nope/web.yml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == #"cannot read web config file "/nope/web.yml": No such file or directory"#)
        }
    }

    @Test func emptyCertificateFileIsRefused() {
        #expect(failure("tls_server_config:\n  cert_file: e.pem\n  key: K\n", files: ["/etc/qe/e.pem": "\n"]).contains(#""/etc/qe/e.pem" is empty"#))
    }
}

/// examples/web-config.yml stays a valid web config (its certificates
/// stand in, as the TLS listener's tests build real ones).
@Suite struct ExampleWebConfigTests {
    @Test func exampleLoads() async throws {
        let examples = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/")).withLeadingSlash + "/examples"
        let process = ConfigEnvironment.process
        let environment = ConfigEnvironment(variables: [:], readFile: { path in
            switch path {
            case examples + "/server.crt": Array("CERT".utf8)
            case examples + "/server.key": Array("KEY".utf8)
            default: try process.readFile(path)
            }
        })
        let web = try WebConfigurationLoader(environment: environment).load(file: examples + "/web-config.yml")
        #expect(web.tls?.certificateChainPEM == Array("CERT".utf8))
        #expect(web.tls?.minVersion == .tls12)
        #expect(web.headers.count == 3)
        #expect(web.users["prometheus"]?.cost == 10)
        #expect(web.rateLimit == RequestRateLimiter.Settings(burst: 20, interval: .milliseconds(100)))
        let hash = web.users["prometheus"]!.text
        // bcrypt at cost 10 takes a while: not on the cooperative pool.
        #expect(try await offPool { BasicAuthenticator.verify(password: Array("change-me".utf8), hash: hash) })
    }
}

private extension String {
    var withLeadingSlash: String { hasPrefix("/") ? self : "/" + self }
}

/// The README's web config block loads (certificate files stand in).
@Suite struct ReadmeWebConfigTests {
    @Test func readmeBlockLoads() async throws {
        let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Security: TLS, basic auth and the web config").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let environment = ConfigEnvironment.inMemory(files: [
            "/etc/qe/web.yml": block, "/etc/qe/server.crt": "C", "/etc/qe/server.key": "K", "/etc/qe/clients-ca.crt": "CA",
        ])
        let web = try WebConfigurationLoader(environment: environment).load(file: "/etc/qe/web.yml")
        #expect(web.tls?.clientAuth == .requireAndVerifyClientCert)
        #expect(web.users["prometheus"] != nil)
        let hash = web.users["prometheus"]!.text
        #expect(try await offPool { BasicAuthenticator.verify(password: Array("change-me".utf8), hash: hash) })
    }
}
