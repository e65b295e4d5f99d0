import Foundation
import QuotaConcurrency
import QuotaConfig
import QuotaHTTP
import QuotaLogging
import Testing
@testable import QuotaWeb

/// Re-reading on change, asserted on state: what is in force after each
/// `check()`, what reached the TLS applier, what was logged.
@Suite struct WebConfigWatcherTests {
    static let hashA = "$2y$10$" + String(repeating: "a", count: 53)
    static let hashB = "$2y$10$" + String(repeating: "b", count: 53)

    @Test func nothingChangedMeansNothingParsed() throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "basic_auth_users:\n  u: \(Self.hashA)\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        #expect(watcher.configuration.users["u"] == BcryptHash(Self.hashA))
        #expect(watcher.active.authenticator != nil)
        #expect(watcher.check() == .unchanged)
        #expect(watcher.check() == .unchanged)
    }

    @Test func changedUsersTakeEffect() throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "basic_auth_users:\n  u: \(Self.hashA)\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        scratch.write("web.yml", "basic_auth_users:\n  v: \(Self.hashB)\n")
        #expect(watcher.check() == .reloaded)
        #expect(Array(watcher.configuration.users.keys) == ["v"])
        #expect(watcher.check() == .unchanged)
        scratch.write("web.yml", "http_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        #expect(watcher.check() == .reloaded)
        #expect(watcher.active.authenticator == nil, "no users: no authentication")
        #expect(watcher.configuration.headers == [.init(name: "X-Frame-Options", value: "deny")])
    }

    /// A broken new file is logged once and the old configuration stays;
    /// fixing it takes effect at the next check.
    @Test func brokenFileKeepsTheOldOneAndLogsOnce() throws {
        let scratch = Scratch()
        let sink = MemoryLogSink()
        let path = scratch.write("web.yml", "basic_auth_users:\n  u: \(Self.hashA)\n")
        let watcher = try WebConfigWatcher(path: path, logger: Logger(sink: sink))
        scratch.write("web.yml", "basic_auth_users:\n  u: not-a-hash\n")
        guard case .failed(let message) = watcher.check() else {
            Issue.record("not refused")
            return
        }
        #expect(message.contains("basic_auth_users.u (line 2, column 3)"))
        #expect(watcher.check() == .stillFailing)
        #expect(watcher.check() == .stillFailing)
        #expect(watcher.configuration.users["u"] == BcryptHash(Self.hashA))
        #expect(sink.lines.filter { $0.contains("web configuration re-read failed") }.count == 1)
        #expect(!sink.lines.joined().contains("not-a-hash"))

        scratch.write("web.yml", "basic_auth_users:\n  w: \(Self.hashB)\n")
        #expect(watcher.check() == .reloaded)
        #expect(Array(watcher.configuration.users.keys) == ["w"])
        #expect(sink.lines.contains { $0.contains("web configuration reloaded") })
    }

    /// The fix may be a file only the broken config names: while refused,
    /// every check reads again.
    @Test func missingCertificateThatAppearsLaterIsPickedUp() throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "basic_auth_users:\n  u: \(Self.hashA)\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        let applied = Locked<[TLSServerSettings?]>([])
        watcher.setTLSApplier { settings in applied.withLock { $0.append(settings) } }
        scratch.write("web.yml", "tls_server_config:\n  cert_file: new.pem\n  key: K\n")
        guard case .failed(let message) = watcher.check() else {
            Issue.record("not refused")
            return
        }
        #expect(message.contains(#"cannot read ""# + scratch.path + #"/new.pem""#))
        #expect(watcher.configuration.tls == nil)
        scratch.write("new.pem", "CERT")
        #expect(watcher.check() == .reloaded)
        #expect(watcher.configuration.tls?.certificateChainPEM == Array("CERT".utf8))
        #expect(applied.current.count == 1)
    }

    /// A rotated certificate (same config, new bytes behind `cert_file`)
    /// reaches the listener through the applier; a context that cannot be
    /// built keeps the old one in force.
    @Test func rotatedCertificatesReachTheListener() throws {
        let scratch = Scratch()
        scratch.write("server.pem", "CERT-1")
        scratch.write("server.key", "KEY-1")
        let path = scratch.write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        #expect(watcher.configuration.files == [path, scratch.path + "/server.pem", scratch.path + "/server.key"])
        let applied = Locked<[TLSServerSettings?]>([])
        let refuse = Locked(false)
        watcher.setTLSApplier { (settings: TLSServerSettings?) throws(TLSSetupError) in
            if refuse.current { throw TLSSetupError(field: "key_file", message: "key does not match the certificate") }
            applied.withLock { $0.append(settings) }
        }
        #expect(watcher.check() == .unchanged)

        scratch.write("server.pem", "CERT-2")
        scratch.write("server.key", "KEY-2")
        #expect(watcher.check() == .reloaded)
        #expect(applied.current.map { $0?.certificateChainPEM } == [Array("CERT-2".utf8)])
        #expect(watcher.configuration.tls?.privateKeyPEM == Array("KEY-2".utf8))

        refuse.withLock { $0 = true }
        scratch.write("server.pem", "CERT-3")
        #expect(watcher.check() == .failed("tls_server_config.key_file: \(path): key does not match the certificate"))
        #expect(watcher.configuration.tls?.certificateChainPEM == Array("CERT-2".utf8), "the old context stays")

        refuse.withLock { $0 = false }
        scratch.write("web.yml", "basic_auth_users: {}\n")
        #expect(watcher.check() == .reloaded)
        #expect(applied.current.count == 2)
        #expect(applied.current.last! == nil, "TLS off again: plain HTTP")
    }

    /// A rotation that lands while a check is reading (after the key was
    /// read, before the check is over) is seen at the next check. The files
    /// were stat'ed after reading, so the new files' fingerprints were kept
    /// with the old bytes and the rotation was never picked up.
    @Test func rotationDuringAReadIsSeenAtTheNextCheck() throws {
        let scratch = Scratch()
        scratch.write("server.pem", "CERT-1")
        scratch.write("server.key", "KEY-1")
        let path = scratch.write("web.yml", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n")
        let rotateAfterReadingKey = Locked(false)
        let disk = ConfigEnvironment.process
        let environment = ConfigEnvironment(variables: [:], readFile: { file in
            let bytes = try disk.readFile(file)
            if file.hasSuffix("/server.key"), rotateAfterReadingKey.withLock({ armed in defer { armed = false }; return armed }) {
                scratch.write("server.pem", "CERT-3")
                scratch.write("server.key", "KEY-3")
            }
            return bytes
        })
        let watcher = try WebConfigWatcher(path: path, loader: WebConfigurationLoader(environment: environment), logger: .disabled)
        watcher.setTLSApplier { _ in }

        scratch.write("server.pem", "CERT-2")
        scratch.write("server.key", "KEY-2")
        rotateAfterReadingKey.withLock { $0 = true }
        #expect(watcher.check() == .reloaded)
        #expect(watcher.configuration.tls?.privateKeyPEM == Array("KEY-2".utf8), "read before the rotation")
        #expect(watcher.check() == .reloaded, "the rotation during the read is a change")
        #expect(watcher.configuration.tls?.certificateChainPEM == Array("CERT-3".utf8))
        #expect(watcher.configuration.tls?.privateKeyPEM == Array("KEY-3".utf8))
        #expect(watcher.check() == .unchanged)
    }

    @Test func tlsChangeWithoutAListenerIsRefused() throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "basic_auth_users: {}\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        scratch.write("web.yml", "tls_server_config: {cert: C, key: K}\n")
        guard case .failed = watcher.check() else {
            Issue.record("accepted")
            return
        }
        #expect(watcher.configuration.tls == nil)
    }

    @Test func removedFileIsAChangeThatFails() throws {
        let scratch = Scratch()
        let path = scratch.write("web.yml", "basic_auth_users:\n  u: \(Self.hashA)\n")
        let watcher = try WebConfigWatcher(path: path, logger: .disabled)
        unlink(path)
        guard case .failed(let message) = watcher.check() else {
            Issue.record("not refused")
            return
        }
        #expect(message.contains("No such file or directory"))
        #expect(watcher.active.authenticator != nil)
    }

    @Test func withoutAFileNothingChanges() {
        let watcher = WebConfigWatcher()
        #expect(watcher.check() == .unchanged)
        #expect(watcher.active.authenticator == nil)
        #expect(watcher.configuration == .none)
    }
}
