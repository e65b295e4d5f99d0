import Foundation
import QuotaCollection
import QuotaConfig
import QuotaExporter
import QuotaOutbound
import Testing
import LoopbackSupport

/// `proxy_url` and `tls_config` per provider entry: how they are read, and
/// that an entry's collectors really use them (real servers on 127.0.0.1).
@Suite(.serialized) struct EntryConnectionTests {
    static let account = "01a7362d577a6c3019a474fd6f485823"

    /// In-memory files for parsing; the real disk (`files: nil`) for the
    /// tests that hand openssl-made files to curl.
    private func load(_ json: String, files: [String: String]? = [:]) throws(ConfigError) -> ExporterConfiguration {
        let environment = files.map { ConfigEnvironment.inMemory(files: $0) } ?? .process
        let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: UpstreamRequestCounter()))
        let loader = ConfigurationLoader(providers: providers, environment: environment)
        return try loader.parse(ConfigObject.parse(Array(json.utf8), environment: environment), source: "test")
    }

    private func failure(_ json: String, files: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try load(json, files: files)
            return nil
        } catch {
            return error
        }
    }

    private func cloudflare(_ extra: String, base: String = "https://127.0.0.1:9/client/v4") -> String {
        #"{"cloudflare": [{"account_id": "\#(Self.account)", "api_token": "t0ken", "base_url": "\#(base)", "collectors": ["dex_commands"]\#(extra)}]}"#
    }

    private static let pemFiles = ["/ca.pem": "ca", "/cert.pem": "cert", "/key.pem": "key"]

    @Test func readsProxyAndTLSConfig() throws {
        let root = try ConfigObject.parse(Array(#"""
            {"proxy_url": "http://user:pw@proxy.internal:3128", "tls_config": {
              "ca_file": "/ca.pem", "cert_file": "/cert.pem", "key_file": "/key.pem",
              "server_name": "quota.internal", "insecure_skip_verify": true}}
            """#.utf8), environment: .inMemory(files: Self.pemFiles))
        let connection = try EntryConnection.parse(root)
        try root.finish()
        #expect(connection.proxyURL == "http://user:pw@proxy.internal:3128")
        #expect(connection.tls == TLSConfiguration(
            caFile: "/ca.pem", certFile: "/cert.pem", keyFile: "/key.pem", serverName: "quota.internal", insecureSkipVerify: true))
        let empty = try EntryConnection.parse(ConfigObject.parse(Array("{}".utf8), environment: .inMemory()))
        #expect(empty == EntryConnection())
    }

    @Test func everyProviderAcceptsBothKeys() throws {
        let keys = #", "proxy_url": "https://proxy.internal", "tls_config": {"ca_file": "/ca.pem"}"#
        #expect(try load(cloudflare(keys), files: Self.pemFiles).targets.count == 1)
        let huawei = #"{"huaweicloud_ces": [{"region": "cn-north-4", "project_id": "0123456789abcdef0123456789abcdef", "access_key": "ak", "secret_key": "sk""# + keys + "}]}"
        #expect(try load(huawei, files: Self.pemFiles).targets.count == 1)
    }

    @Test(arguments: [
        (#", "proxy_url": "ftp://proxy:21""#, "cloudflare[0].proxy_url", "http:// or https://"),
        (#", "proxy_url": "proxy.internal:3128""#, "cloudflare[0].proxy_url", "http:// or https://"),
        (#", "proxy_url": "http://proxy:3128/path""#, "cloudflare[0].proxy_url", "no path"),
        (#", "proxy_url": "http://proxy:99999""#, "cloudflare[0].proxy_url", "http:// or https://"),
        (#", "proxy_url": 3128"#, "cloudflare[0].proxy_url", "expected a string"),
        (#", "tls_config": {"ca_file": "/missing.pem"}"#, "cloudflare[0].tls_config.ca_file", "No such file"),
        (#", "tls_config": {"cert_file": "/cert.pem"}"#, "cloudflare[0].tls_config.cert_file", "key_file"),
        (#", "tls_config": {"key_file": "/key.pem"}"#, "cloudflare[0].tls_config.key_file", "cert_file"),
        (#", "tls_config": {"server_name": "a b"}"#, "cloudflare[0].tls_config.server_name", "host name"),
        (#", "tls_config": {"insecure_skip_verify": "yes"}"#, "cloudflare[0].tls_config.insecure_skip_verify", "true or false"),
        (#", "tls_config": {"ca": "/ca.pem"}"#, "cloudflare[0].tls_config", "unknown key \"ca\""),
        (#", "tls_config": "/ca.pem""#, "cloudflare[0].tls_config", "expected an object"),
    ])
    func invalidEntriesNameTheField(extra: String, path: String, words: String) throws {
        let error = try #require(failure(cloudflare(extra), files: Self.pemFiles))
        #expect(error.path == path, "\(error)")
        #expect(error.message.contains(words), "\(error)")
    }

    /// Static entries make no calls, so the keys are unknown there, not ignored.
    @Test func staticEntriesRefuseTheKeys() throws {
        let json = #"{"static": [{"account": "a", "quotas": [{"quota": "q", "unit": "u", "limit": 1}], "proxy_url": "http://p:1"}]}"#
        let error = try #require(failure(json))
        #expect(error.message.contains("unknown key \"proxy_url\""), "\(error)")
    }

    @Test func proxyCredentialsStayOutOfErrors() throws {
        let error = try #require(failure(cloudflare(#", "proxy_url": "http://user:hunter2@proxy:3128/x""#)))
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("user"))
    }

    /// Collects the configuration's targets once and returns each one's last error.
    private func collect(_ json: String) async throws -> [CollectorError?] {
        let configuration = try load(json, files: nil)
        let cache = CollectionCache(targets: configuration.targets, maxConcurrency: 4, logger: .disabled, clock: { 1_700_000_000 })
        let snapshot = await cache.refresh(deadline: .now + .seconds(60))
        return snapshot.targets.map(\.lastError)
    }

    /// The fake answers "hello", not Cloudflare's JSON, so a target that
    /// got through TLS fails to decode; one that did not fails as network.
    /// (The TLS server's counters cannot be read over the plain socket.)
    @Test func caFileReachesAPrivateTLSServer() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        defer { server.stop() }
        let base = "https://127.0.0.1:\(server.port)/client/v4"
        let right = try await collect(cloudflare(#", "tls_config": {"ca_file": "\#(tls.caFile)"}"#, base: base))
        #expect(right.first??.reason == .decode, "\(right)")
        let wrong = try await collect(cloudflare(#", "tls_config": {"ca_file": "\#(tls.wrongCAFile)"}"#, base: base))
        #expect(wrong.first??.reason == .network, "\(wrong)")
        #expect(wrong.first??.message.contains("certificate") == true, "\(wrong)")
    }

    @Test func proxyURLTunnelsThroughTheProxy() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        let proxy = try await LoopbackServer.start("proxy")
        defer {
            server.stop()
            proxy.stop()
        }
        let extra = #", "proxy_url": "http://127.0.0.1:\#(proxy.port)", "tls_config": {"ca_file": "\#(tls.caFile)"}"#
        let errors = try await collect(cloudflare(extra, base: "https://127.0.0.1:\(server.port)/client/v4"))
        #expect(errors.first??.reason == .decode, "\(errors)")
        #expect(try await proxy.stats()["connects"] == 1)
    }

    /// The proxy environment variables, as curl reads them, in the real
    /// binary (setting them in this test process would reach every other
    /// suite): `https_proxy` sends the collection through the CONNECT proxy,
    /// and `NO_PROXY` naming the host takes it off the proxy again.
    @Test func proxyEnvironmentVariablesAreHonoured() async throws {
        let tls = try await TLSFixtures.get()
        let server = try await LoopbackServer.start("tls", tls.serverCert, tls.serverKey)
        let proxy = try await LoopbackServer.start("proxy")
        defer {
            server.stop()
            proxy.stop()
        }
        let directory = TemporaryDirectory()
        let config = directory.write("config.json", cloudflare(#", "tls_config": {"ca_file": "\#(tls.caFile)"}"#,
                                                               base: "https://127.0.0.1:\(server.port)/client/v4"))
        let proxyURL = "http://127.0.0.1:\(proxy.port)"
        let proxied = try await ExporterProcess.run(["--once", "--config.file=\(config)"],
                                                    environment: ["https_proxy": proxyURL, "HTTPS_PROXY": proxyURL])
        #expect(try await proxy.stats()["connects"] == 1, "https_proxy: \(proxied.stderr)")
        let direct = try await ExporterProcess.run(["--once", "--config.file=\(config)"],
                                                   environment: ["https_proxy": proxyURL, "HTTPS_PROXY": proxyURL, "NO_PROXY": "127.0.0.1"])
        #expect(try await proxy.stats()["connects"] == 1, "NO_PROXY: \(direct.stderr)")
        // Both runs reached the TLS fake (it answers "hello", not Cloudflare's JSON).
        #expect(proxied.stderr.contains("decode") && direct.stderr.contains("decode"), "\(proxied.stderr)\n\(direct.stderr)")
    }

    @Test func refusingProxyIsNamedWithoutItsPassword() async throws {
        let proxy = try await LoopbackServer.start("refuse")
        defer { proxy.stop() }
        let extra = #", "proxy_url": "http://user:hunter2@127.0.0.1:\#(proxy.port)""#
        let errors = try await collect(cloudflare(extra))
        let message = errors.first??.message ?? ""
        #expect(message.contains("127.0.0.1:\(proxy.port)") && message.contains("502"), "\(message)")
        #expect(!message.contains("hunter2"), "\(message)")
    }
}
