import Foundation
import QuotaCollection
import QuotaConfig
import Testing
@testable import QuotaZitadel

/// Parses `{"zitadel": [entry]}` as the exporter's loader would, unknown keys included.
func zitadelTargets(
    _ entry: String,
    provider: ZitadelProvider = makeProvider(storagePath: "/var/lib/quota_exporter"),
    files: [String: String] = [:],
    variables: [String: String] = [:]
) throws(ConfigError) -> [Target] {
    let root = try ConfigObject.parse(Array(#"{"zitadel":[\#(entry)]}"#.utf8), environment: .inMemory(variables: variables, files: files))
    var targets: [Target] = []
    for object in try root.required("zitadel", .objects) {
        targets += try provider.targets(from: object, common: TargetCommon(path: object.path))
    }
    try root.finish()
    return targets
}

func makeProvider(
    storagePath: String?,
    timing: ProvisioningTiming = ProvisioningTiming(firstRetry: 0.05, maxRetry: 0.2),
    clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
    logger: QuotaLogging.Logger = .disabled,
    replicas: Int = 1,
    clientSettings: UpstreamClient.Settings = UpstreamClient.Settings()
) -> ZitadelProvider {
    ZitadelProvider(
        context: ProviderContext(logger: logger, upstreamCounter: UpstreamRequestCounter(), clientSettings: clientSettings, replicas: replicas),
        storagePath: storagePath, timing: timing, clock: clock)
}

func instance(of targets: [Target]) -> ZitadelInstance? {
    targets.lazy.compactMap { ($0.collector as? ZitadelQuotaCollector)?.instance }.first
}

import QuotaLogging

@Suite struct ConfigTests {
    static let quotas = #""quotas": [{"unit": "requests_all_authenticated", "amount": 100000, "from": "2026-01-01T00:00:00Z", "reset_interval": "30d", "limit": true}]"#
    static let tokenFiles = ["/run/zitadel-token": "tok\n"]

    @Test func fullEntryWithTokenFile() throws {
        let targets = try zitadelTargets("""
            {"url": "https://zitadel.example.com", "instance_id": "123456789", "token_file": "/run/zitadel-token",
             "receiver_url": "http://exporter:8795/", \(Self.quotas),
             "notifications": [{"percent": 25, "repeat": true}], "reapply_interval": "5m"}
            """, files: Self.tokenFiles)
        #expect(targets.map(\.identity.description) == ["zitadel/123456789/quotas", "zitadel/123456789/provisioning"])
        let parsed = try #require(instance(of: targets))
        #expect(parsed.stateFile == "/var/lib/quota_exporter/zitadel-state.json")
        #expect(parsed.reapplyInterval == 300)
        #expect(parsed.quotas == [ZitadelQuota(unit: .requestsAllAuthenticated, amount: 100_000, from: unixTime("2026-01-01T00:00:00Z"),
                                                resetInterval: 30 * 86_400, limit: true, notifications: [.init(percent: 25, repeat: true)])])
        #expect(parsed.callURLs(secret: "abc") == ["http://exporter:8795/zitadel/notifications/123456789/abc"])
    }

    @Test func defaultsAndPerQuotaNotifications() throws {
        let targets = try zitadelTargets("""
            {"url": "https://z.example", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e:8795",
             "state_file": "/data/z.json",
             "quotas": [{"unit": "actions_all_run_seconds", "amount": 3600, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h",
                         "notifications": [{"percent": 100}]}]}
            """, files: Self.tokenFiles)
        let parsed = try #require(instance(of: targets))
        #expect(parsed.stateFile == "/data/z.json")
        #expect(parsed.reapplyInterval == 600)
        #expect(parsed.provisioning)
        #expect(parsed.quotas[0].limit == false)
        #expect(parsed.quotas[0].notifications == [.init(percent: 100, repeat: false)])
    }

    @Test func receiveOnlyNeedsNoCredentialsButASecret() throws {
        let targets = try zitadelTargets("""
            {"url": "https://z.example", "instance_id": "1", "provisioning": false, "receiver_secret": "${ZS}", \(Self.quotas)}
            """, variables: ["ZS": "0123456789abcdef-_"])
        #expect(targets.map(\.identity.collector) == ["quotas"])
        #expect(instance(of: targets)?.receiverSecret?.revealed == "0123456789abcdef-_")
    }

    @Test(arguments: [
        (#""instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", Q"#, "missing required key \"url\""),
        (#""url": "https://z", "instance_id": "1/2", "token_file": "/run/zitadel-token", "receiver_url": "http://e", Q"#, "instance_id: must consist of"),
        (#""url": "https://z", "instance_id": "1", "receiver_url": "http://e", Q"#, "provisioning needs system API credentials"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", Q"#, "missing required key \"receiver_url\""),
        (#""url": "https://z", "instance_id": "1", "token_file": "/nope", "receiver_url": "http://e", Q"#, "token_file: cannot read \"/nope\""),
        (#""url": "https://z", "instance_id": "1", "system_user": "u", "receiver_url": "http://e", Q"#, "go together"),
        (#""url": "https://z", "instance_id": "1", "system_user": "u", "private_key": "not a key", "receiver_url": "http://e", Q"#, "private_key: cannot load the RSA private key: no PEM block"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "receiver_secret": "short", Q"#, "receiver_secret: must be at least 16"),
        (#""url": "https://z", "instance_id": "1", "provisioning": false, Q"#, "set \"receiver_secret\""),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": []"#, "quotas: must contain at least 1"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "logins", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}]"#, "expected one of \"requests_all_authenticated\", \"actions_all_run_seconds\""),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "30s"}]"#, "at least 1m"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 0, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}]"#, "amount: must be between 1"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 1, "from": "soon", "reset_interval": "1h"}]"#, "from: expected an RFC 3339"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h", "notifications": [{"percent": 0}]}]"#, "percent: must be between 1"),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h", "blocking": true}]"#, "unknown key \"blocking\""),
        (#""url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 1, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}, {"unit": "actions_all_run_seconds", "amount": 2, "from": "2026-01-01T00:00:00Z", "reset_interval": "1h"}]"#, "listed twice"),
    ])
    func rejectsWithFieldPath(body: String, message: String) {
        let entry = "{" + body.replacingOccurrences(of: "Q", with: Self.quotas) + "}"
        #expect {
            _ = try zitadelTargets(entry, files: Self.tokenFiles)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    /// `from` and `reset_interval` from the config: strict, no trap, and the
    /// error quotes at most a short prefix (a secret may have landed there).
    @Test func quotaInstantsAndIntervalsAreRangeChecked() throws {
        func quota(_ fields: String) -> String {
            #"{"url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", "quotas": [{"unit": "actions_all_run_seconds", "amount": 1, \#(fields)}]}"#
        }
        func failure(_ entry: String) -> String? {
            do {
                _ = try zitadelTargets(entry, files: Self.tokenFiles)
                return nil
            } catch {
                return error.description
            }
        }
        let long = "2026-01-01T00:00:00." + String(repeating: "5", count: 10_000) + "Z"
        let targets = try zitadelTargets(quota(#""from": "\#(long)", "reset_interval": "1h""#), files: Self.tokenFiles)
        #expect(instance(of: targets)?.quotas.first?.from == 1_767_225_600.555556)
        #expect(failure(quota(#""from": "2026-02-29T00:00:00Z", "reset_interval": "1h""#))
            == #"zitadel[0].quotas[0].from: expected an RFC 3339 date-time such as "2026-01-01T00:00:00Z", found "2026-02-29T0"… (20 characters)"#)
        #expect(failure(quota(#""from": "sk-0123456789abcdefghijklmnop", "reset_interval": "1h""#))?.contains("0123456789abc") == false)
        #expect(failure(quota(#""from": "2026-01-01T00:00:00Z", "reset_interval": "99999999999999999999y""#))
            == #"zitadel[0].quotas[0].reset_interval: duration "999999999999"… (21 characters) is too large (at most 100y)"#)
        #expect(failure(quota(#""from": "2026-01-01T00:00:00Z", "reset_interval": "100y""#)) == nil)
    }

    /// Used to load, pass --config.check, and trap at the first signature.
    @Test func keyThatCannotSignIsAConfigErrorNamingTheField() {
        #expect {
            _ = try zitadelTargets(
                #"{"url": "https://z", "instance_id": "1", "system_user": "u", "private_key_file": "/run/key.pem", "receiver_url": "http://e", \#(Self.quotas)}"#,
                files: ["/run/key.pem": InconsistentRSAKey.compositePrimePEM])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("private_key_file: cannot load the RSA private key") && text.contains("trial signature")
        }
    }

    @Test func withoutStatePathTheEntryIsRefused() {
        #expect {
            _ = try zitadelTargets(#"{"url": "https://z", "instance_id": "1", "token_file": "/run/zitadel-token", "receiver_url": "http://e", \#(Self.quotas)}"#,
                                   provider: makeProvider(storagePath: nil), files: Self.tokenFiles)
        } throws: { error in
            String(describing: error).contains("--storage.path")
        }
    }

    @Test func configErrorsNeverShowTheSecret() {
        #expect {
            _ = try zitadelTargets(#"{"url": "https://z", "instance_id": "1", "provisioning": false, "receiver_secret": "topsecret value!", \#(Self.quotas)}"#)
        } throws: { error in
            !String(describing: error).contains("topsecret")
        }
    }
}
