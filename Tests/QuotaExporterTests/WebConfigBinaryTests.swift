import Foundation
import LoopbackSupport
import Testing

/// `--web.config.file`, `--web.enable-lifecycle` and `--config.check` on
/// the real binary, spoken to with curl over 127.0.0.1.
@Suite(.serialized) struct WebConfigBinaryTests {
    /// A bcrypt hash of `password` made by Python (its `bcrypt` package, or
    /// the `crypt` module of 3.11), cost 4 to keep the test quick.
    static func bcrypt(_ password: String) async throws -> String {
        let script = """
            import sys
            try:
                import bcrypt
                print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())
            except ImportError:
                import warnings; warnings.simplefilter("ignore")
                import crypt
                print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))
            """
        let result = try await tool(["python3", "-c", script, password])
        let hash = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, hash.hasPrefix("$2") else { throw LoopbackError(message: "python3 made no bcrypt hash") }
        return hash
    }

    static func tool(_ arguments: [String]) async throws -> (status: Int32, stdout: String) {
        let result = try await ChildCommand(arguments, stderr: .null).run()
        return (result.status, result.stdoutText)
    }

    struct CurlResponse {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// curl's answer: status, headers (lower-cased names) and body.
    static func curl(_ port: Int, _ path: String, _ extra: [String] = []) async throws -> CurlResponse {
        let result = try await tool(["curl", "-sS", "-i", "--max-time", "60"] + extra + ["http://127.0.0.1:\(port)\(path)"])
        guard result.status == 0 else { throw LoopbackError(message: "curl failed with \(result.status)") }
        let parts = result.stdout.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return CurlResponse(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test func configCheckValidatesTheWebConfig() async throws {
        let directory = TemporaryDirectory()
        let config = directory.write("config.json", staticConfig)
        let hash = try await Self.bcrypt("pw")
        let good = directory.write("web.yml", "basic_auth_users:\n  prometheus: \(hash)\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        let ok = try await ExporterProcess.run(["--config.file=\(config)", "--web.config.file=\(good)", "--config.check"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("web configuration OK: \(good): tls=off basic_auth_users=1 headers=1"))
        #expect(ok.stdout.contains("configuration OK"))

        let badHash = directory.write("bad.yml", "basic_auth_users:\n  prometheus: hunter2\n")
        let refused = try await ExporterProcess.run(["--config.file=\(config)", "--web.config.file=\(badHash)", "--config.check"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("basic_auth_users.prometheus (line 2, column 3)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("hunter2"))

        let missingCert = directory.write("tls.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n")
        let noCert = try await ExporterProcess.run(["--config.file=\(config)", "--web.config.file=\(missingCert)", "--config.check"])
        #expect(noCert.status == 1)
        #expect(noCert.stderr.contains(#"tls_server_config.cert_file (line 2, column 3): \#(missingCert): cannot read \"\#(directory.path)/server.pem\""#), "\(noCert.stderr)")

        let missing = try await ExporterProcess.run(["--config.file=\(config)", "--web.config.file=\(directory.path)/nope.yml"])
        #expect(missing.status == 1, "a bad web config stops the exporter before it serves")
        #expect(missing.stderr.contains("nope.yml"))
    }

    /// Basic auth covers every path but ZITADEL's receiver, whose URL
    /// carries its own secret: a notification posted without credentials
    /// is stored and shows in /metrics. Headers go on every answer, the
    /// reload endpoint needs the lifecycle flag, and a changed web config
    /// takes effect without a restart.
    @Test func basicAuthHeadersLifecycleAndReReading() async throws {
        let directory = TemporaryDirectory()
        let config = directory.write("config.json", ZitadelStartUpTests.config())
        let hash = try await Self.bcrypt("s3cret")
        let web = directory.write("web.yml", """
            basic_auth_users:
              prometheus: \(hash)
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
                Strict-Transport-Security: max-age=31536000
            """)
        let child = try ExporterProcess([
            "--config.file=\(config)", "--web.config.file=\(web)", "--storage.path=\(directory.path)/state",
            "--web.listen-address=127.0.0.1:0",
        ])
        let port = try #require(await child.waitForPort(), "\(child.stderr)")
        #expect(child.stderr.contains("basic_auth=on"))

        let anonymous = try await Self.curl(port, "/metrics")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers["www-authenticate"] == #"Basic realm="quota_exporter", charset="UTF-8""#)
        #expect(anonymous.headers["x-content-type-options"] == "nosniff")
        #expect(try await Self.curl(port, "/metrics", ["-u", "prometheus:wrong"]).status == 401)
        #expect(try await Self.curl(port, "/", ["-u", "nobody:s3cret"]).status == 401)
        #expect(try await Self.curl(port, "/-/healthy").status == 200, "a kubelet probes without credentials")
        #expect(try await Self.curl(port, "/-/ready").headers["x-content-type-options"] == "nosniff")
        #expect(try await Self.curl(port, "/-/reload", ["-X", "POST"]).status == 401, "auth comes before the lifecycle check")
        #expect(try await Self.curl(port, "/metrics", ["-H", "Authorization: Basic %%%"]).status == 401)

        let allowed = try await Self.curl(port, "/metrics", ["-u", "prometheus:s3cret"])
        #expect(allowed.status == 200)
        #expect(allowed.headers["strict-transport-security"] == "max-age=31536000")
        #expect(allowed.body.contains("quota_exporter_build_info"))

        let reload = try await Self.curl(port, "/-/reload", ["-u", "prometheus:s3cret", "-X", "POST"])
        #expect(reload.status == 403)
        #expect(reload.body.contains("--web.enable-lifecycle"))

        let notification = #"{"unit":1,"id":"n1","callURL":"x","periodStart":"2026-01-01T00:00:00Z","threshold":50,"usage":50000}"#
        let stored = try await Self.curl(port, "/zitadel/notifications/inst1/\(ZitadelStartUpTests.secret)", [
            "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", notification,
        ])
        #expect(stored.status == 200, "\(stored.body)")
        #expect(stored.body == "stored\n")
        let wrongSecret = try await Self.curl(port, "/zitadel/notifications/inst1/not-the-secret", ["-X", "POST", "--data-binary", notification])
        #expect(wrongSecret.status == 404, "the receiver's own check still applies")
        let metrics = try await Self.curl(port, "/metrics", ["-u", "prometheus:s3cret"]).body
        #expect(metrics.contains(#"quota_exporter_zitadel_notifications_total{outcome="stored"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"quota_exporter_zitadel_last_notification_timestamp_seconds{account="inst1"}"#))

        // Users removed: within a few seconds anonymous requests pass.
        _ = directory.write("web.yml", "http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n")
        var reread = try await Self.curl(port, "/metrics")
        for _ in 0..<300 where reread.status != 200 {
            try await Task.sleep(nanoseconds: 50_000_000)
            reread = try await Self.curl(port, "/metrics")
        }
        #expect(reread.status == 200, "\(child.stderr)")
        #expect(reread.headers["x-frame-options"] == "sameorigin")
        #expect(child.stderr.contains("web configuration reloaded"))

        // A broken edit is logged and the last good configuration stays.
        _ = directory.write("web.yml", "basic_auth_users: [oops]\n")
        for _ in 0..<300 where !child.stderr.contains("web configuration re-read failed") {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(child.stderr.contains(#"basic_auth_users (line 1, column 1)"#))
        #expect(try await Self.curl(port, "/metrics").status == 200)

        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
    }

    @Test func lifecycleFlagEnablesReloadOverHTTP() async throws {
        let directory = TemporaryDirectory()
        let config = directory.write("config.json", staticConfig)
        let child = try ExporterProcess(["--config.file=\(config)", "--web.enable-lifecycle", "--web.listen-address=127.0.0.1:0"])
        let port = try #require(await child.waitForPort(), "\(child.stderr)")
        let reload = try await Self.curl(port, "/-/reload", ["-X", "POST"])
        #expect(reload.status == 200)
        #expect(reload.body == "Reloaded\n")
        child.signal(SIGTERM)
        #expect(await child.waitForExit(timeout: 10) == 0)
    }
}
