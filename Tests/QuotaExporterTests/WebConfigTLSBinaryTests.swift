import Foundation
import LoopbackSupport
import Testing

/// `tls_server_config` of `--web.config.file` on the real binary, together
/// with basic auth, client certificates, rotation on disk and
/// `--config.check`, spoken to with curl and `openssl s_client` over
/// 127.0.0.1. The certificates are the TLSFixtures CA's, plus a few signed
/// here with the same CA.
@Suite(.serialized) struct WebConfigTLSBinaryTests {
    /// `script` with /bin/sh off the cooperative pool: its exit status and
    /// everything it wrote (stdout and stderr together).
    static func shell(_ script: String) async throws -> (status: Int32, output: String) {
        try await offPool {
            let output = NSTemporaryDirectory() + "quota-exporter-shell-\(getpid())-\(UUID().uuidString)"
            defer { unlink(output) }
            let child = try Spawned(["/bin/sh", "-c", "exec >'\(output)' 2>&1 </dev/null\n" + script])
            let status = child.closeInputAndWait()
            return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        }
    }

    /// A P-256 key and a certificate for `commonName` with `san`, signed by
    /// the fixtures' CA, as `<name>.pem` and `<name>.key` in `directory`. A
    /// serial of its own (not the CA's serial file, which other suites share).
    static func sign(_ name: String, commonName: String, san: String, in directory: String, fixtures: TLSFixtures) async throws {
        let serial = String(UInt64.random(in: 1...UInt64(Int64.max)), radix: 16)
        let result = try await shell("""
            set -e
            cd '\(directory)'
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '\(name).key.new' -out '\(name).csr' -subj '/CN=\(commonName)'
            printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\n' '\(san)' > '\(name).ext'
            openssl x509 -req -in '\(name).csr' -CA '\(fixtures.caFile)' -CAkey '\(fixtures.directory)/ca.key' -set_serial 0x\(serial) -days 2 -extfile '\(name).ext' -out '\(name).pem.new'
            """)
        guard result.status == 0 else { throw LoopbackError(message: "openssl could not sign \(name): \(result.output)") }
    }

    /// Puts what `sign` made in place (the key first, then the certificate,
    /// each by rename as a secret mount swaps files).
    static func install(_ name: String, in directory: String) throws {
        for file in ["\(name).key", "\(name).pem"] {
            guard rename("\(directory)/\(file).new", "\(directory)/\(file)") == 0 else {
                throw LoopbackError(message: "rename \(file): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Subject and serial of the certificate the listener serves to a new connection.
    static func servedCertificate(_ port: Int, _ fixtures: TLSFixtures) async throws -> String {
        try await shell("openssl s_client -connect 127.0.0.1:\(port) -servername localhost -CAfile '\(fixtures.caFile)' </dev/null 2>/dev/null | openssl x509 -noout -subject -serial").output
    }

    static func fileCertificate(_ path: String) async throws -> String {
        try await shell("openssl x509 -in '\(path)' -noout -subject -serial").output
    }

    /// curl over https: its exit status, and the status line and headers it printed.
    static func curl(_ port: Int, _ path: String, _ options: String) async throws -> (status: Int32, output: String) {
        try await shell("curl -sS -i --max-time 30 \(options) https://127.0.0.1:\(port)\(path)")
    }

    /// What `openssl s_client` with `options` got for a GET of `path`.
    static func sClientGet(_ port: Int, _ path: String, _ options: String) async throws -> String {
        let request = "GET \(path) HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n"
        return try await shell("printf '\(request)' | openssl s_client -connect 127.0.0.1:\(port) -servername localhost -quiet \(options)").output
    }

    static func start(_ directory: TemporaryDirectory, web: String) throws -> ExporterProcess {
        let config = directory.write("config.json", staticConfig)
        return try ExporterProcess([
            "--config.file=\(config)", "--web.config.file=\(web)", "--storage.path=\(directory.path)",
            "--web.listen-address=127.0.0.1:0", "--log.level=debug",
        ])
    }

    /// TLS and basic auth in one web config: curl needs both the CA and
    /// the password; TLS 1.1 is refused, TLS 1.3 served.
    @Test func tlsWithBasicAuth() async throws {
        let fixtures = try await TLSFixtures.get()
        let directory = TemporaryDirectory()
        let hash = try await WebConfigBinaryTests.bcrypt("s3cret")
        let web = directory.write("web.yml", """
            tls_server_config:
              cert_file: \(fixtures.serverCert)
              key_file: \(fixtures.serverKey)
            basic_auth_users:
              prometheus: \(hash)
            """)
        let child = try Self.start(directory, web: web)
        let port = try #require(await child.waitForPort(), "\(child.stderr)")
        #expect(child.stderr.contains("tls=on"), "\(child.stderr)")
        let ca = "--cacert '\(fixtures.caFile)'"

        let allowed = try await Self.curl(port, "/metrics", "\(ca) -u prometheus:s3cret")
        #expect(allowed.status == 0, "\(allowed.output)")
        #expect(allowed.output.hasPrefix("HTTP/1.1 200"), "\(allowed.output)")
        #expect(allowed.output.contains("quota_exporter_build_info"))

        let anonymous = try await Self.curl(port, "/metrics", ca)
        #expect(anonymous.output.hasPrefix("HTTP/1.1 401"), "\(anonymous.output)")
        #expect(anonymous.output.lowercased().contains(#"www-authenticate: basic realm="quota_exporter""#), "\(anonymous.output)")
        let wrong = try await Self.curl(port, "/metrics", "\(ca) -u prometheus:wrong")
        #expect(wrong.output.hasPrefix("HTTP/1.1 401"), "\(wrong.output)")

        let untrusted = try await Self.curl(port, "/metrics", "-u prometheus:s3cret")
        #expect(untrusted.status == 60, "curl's 'peer certificate cannot be authenticated': \(untrusted.output)")
        let wrongCA = try await Self.curl(port, "/metrics", "--cacert '\(fixtures.wrongCAFile)' -u prometheus:s3cret")
        #expect(wrongCA.status == 60, "\(wrongCA.output)")

        let verify = "-CAfile '\(fixtures.caFile)' -verify_return_error"
        let tls13 = try await Self.sClientGet(port, "/-/healthy", "\(verify) -tls1_3")
        #expect(tls13.contains("HTTP/1.1 200"), "\(tls13)")
        // The client offers TLS 1.1 for real (OpenSSL 3 needs level 0 for it);
        // the server's default floor of TLS 1.2 refuses it.
        let tls11 = try await Self.sClientGet(port, "/-/healthy", "\(verify) -tls1_1 -cipher DEFAULT@SECLEVEL=0")
        #expect(!tls11.contains("HTTP/1.1"), "\(tls11)")
        #expect(tls11.contains("alert protocol version") || tls11.contains("unsupported protocol"), "\(tls11)")

        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
        #expect(!child.stderr.contains("s3cret"))
    }

    /// RequireAndVerifyClientCert with client_ca_file: a client without a
    /// certificate gets nothing, one with a certificate the CA signed is served.
    @Test func requireAndVerifyClientCert() async throws {
        let fixtures = try await TLSFixtures.get()
        let directory = TemporaryDirectory()
        try await Self.sign("client", commonName: "prometheus", san: "DNS:prometheus.internal", in: directory.path, fixtures: fixtures)
        try Self.install("client", in: directory.path)
        let web = directory.write("web.yml", """
            tls_server_config:
              cert_file: \(fixtures.serverCert)
              key_file: \(fixtures.serverKey)
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: \(fixtures.caFile)
            """)
        let child = try Self.start(directory, web: web)
        let port = try #require(await child.waitForPort(), "\(child.stderr)")
        let ca = "--cacert '\(fixtures.caFile)'"

        let withCert = try await Self.curl(port, "/metrics", "\(ca) --cert '\(directory.path)/client.pem' --key '\(directory.path)/client.key'")
        #expect(withCert.status == 0, "\(withCert.output)")
        #expect(withCert.output.hasPrefix("HTTP/1.1 200"), "\(withCert.output)")

        let without = try await Self.curl(port, "/metrics", ca)
        #expect(without.status != 0, "\(without.output)")
        #expect(!without.output.contains("HTTP/1.1"), "\(without.output)")
        // The same through s_client over TLS 1.2, where the refusal is in the handshake.
        let sClient = try await Self.sClientGet(port, "/-/healthy", "-CAfile '\(fixtures.caFile)' -tls1_2")
        #expect(!sClient.contains("HTTP/1.1"), "\(sClient)")
        let sClientWithCert = try await Self.sClientGet(port, "/-/healthy", "-CAfile '\(fixtures.caFile)' -tls1_2 -cert '\(directory.path)/client.pem' -key '\(directory.path)/client.key'")
        #expect(sClientWithCert.contains("HTTP/1.1 200"), "\(sClientWithCert)")

        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
    }

    /// A certificate and key rewritten on disk reach new connections
    /// without a restart; a broken key afterwards is logged (without its
    /// bytes) and the certificate in force keeps being served.
    @Test func rotatedCertificateIsServedAndABrokenKeyKeepsTheOld() async throws {
        let fixtures = try await TLSFixtures.get()
        let directory = TemporaryDirectory()
        try await Self.sign("server", commonName: "first.test", san: "DNS:localhost,IP:127.0.0.1", in: directory.path, fixtures: fixtures)
        try Self.install("server", in: directory.path)
        let web = directory.write("web.yml", """
            tls_server_config:
              cert_file: server.pem
              key_file: server.key
            """)
        let child = try Self.start(directory, web: web)
        let port = try #require(await child.waitForPort(), "\(child.stderr)")
        let first = try await Self.fileCertificate("\(directory.path)/server.pem")
        #expect(first.contains("first.test"))
        #expect(try await Self.servedCertificate(port, fixtures) == first)

        try await Self.sign("server", commonName: "rotated.test", san: "DNS:localhost,IP:127.0.0.1", in: directory.path, fixtures: fixtures)
        let rotated = try await Self.fileCertificate("\(directory.path)/server.pem.new")
        #expect(rotated != first)
        try Self.install("server", in: directory.path)
        var served = try await Self.servedCertificate(port, fixtures)
        for _ in 0..<300 where served != rotated {
            try await Task.sleep(nanoseconds: 100_000_000)
            served = try await Self.servedCertificate(port, fixtures)
        }
        #expect(served == rotated, "\(child.stderr)")
        #expect(child.stderr.contains("web configuration reloaded"), "\(child.stderr)")
        let curl = try await Self.curl(port, "/-/healthy", "--cacert '\(fixtures.caFile)'")
        #expect(curl.output.hasPrefix("HTTP/1.1 200"), "\(curl.output)")

        // A key that is no key: logged once, naming the field; the rotated
        // certificate stays in force. Its bytes never reach the log.
        let marker = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NzEx"
        let logged = child.stderr.count
        _ = directory.write("server.key", "-----BEGIN PRIVATE KEY-----\n\(marker)\n-----END PRIVATE KEY-----\n")
        var failure = ""
        for _ in 0..<300 {
            failure = String(child.stderr.dropFirst(logged))
            if failure.contains("web configuration re-read failed") { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(failure.contains("web configuration re-read failed"), "\(child.stderr)")
        #expect(failure.contains("tls_server_config.key_file"), "\(failure)")
        #expect(try await Self.servedCertificate(port, fixtures) == rotated)
        #expect(try await Self.curl(port, "/-/healthy", "--cacert '\(fixtures.caFile)'").output.hasPrefix("HTTP/1.1 200"))

        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
        #expect(!child.stderr.contains(marker))
    }

    /// `--config.check` builds the TLS context, so a key of another
    /// certificate is refused there, naming the field and not the key.
    @Test func configCheckRefusesAKeyThatDoesNotMatch() async throws {
        let fixtures = try await TLSFixtures.get()
        let directory = TemporaryDirectory()
        let config = directory.write("config.json", staticConfig)
        let good = directory.write("good.yml", "tls_server_config:\n  cert_file: \(fixtures.serverCert)\n  key_file: \(fixtures.serverKey)\n")
        let ok = try await ExporterProcess.run(["--config.file=\(config)", "--web.config.file=\(good)", "--config.check"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("tls=on"), "\(ok.stdout)")

        let mismatched = directory.write("web.yml", "tls_server_config:\n  cert_file: \(fixtures.serverCert)\n  key_file: \(fixtures.aliasKey)\n")
        let refused = try await ExporterProcess.run(["--config.file=\(config)", "--web.config.file=\(mismatched)", "--config.check"])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("tls_server_config.key_file"), "\(refused.stderr)")
        #expect(refused.stderr.contains("does not match the certificate"), "\(refused.stderr)")
        let keyLines = try String(contentsOfFile: fixtures.aliasKey, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
        #expect(!keyLines.contains { refused.stderr.contains($0) })
    }
}
