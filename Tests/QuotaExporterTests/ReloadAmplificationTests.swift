import Foundation
import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaExporter
import QuotaHTTP
import Testing

/// `POST /-/reload` used to forget every target's last attempt and restart
/// every ZITADEL provisioning loop: 50 reload+scrape pairs in 3 s caused
/// 201 upstream calls. A reload must refresh only what changed.
@Suite struct ReloadAmplificationTests {
    /// A ZITADEL system API that answers every SetQuota and counts them per instance.
    final class CountingZitadel: Sendable {
        let calls = Locked<[String: Int]>([:])
        let server: HTTPServer

        init() throws {
            let calls = self.calls
            server = HTTPServer(
                configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")]),
                handler: ClosureHTTPHandler { request in
                    // /system/v1/instances/{id}/quotas
                    let parts = request.path.split(separator: "/")
                    if request.method == "PUT", parts.count == 5 {
                        calls.withLock { $0[String(parts[3]), default: 0] += 1 }
                    }
                    return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
                },
                logger: .disabled
            )
            try server.start()
        }

        var url: String { "http://127.0.0.1:\(server.boundAddresses[0].port)" }

        func count(_ instance: String) -> Int { calls.current[instance] ?? 0 }
    }

    static func entry(_ instance: String, url: String, tokenFile: String, amount: Int = 1000) -> String {
        #"{"url": "\#(url)", "instance_id": "\#(instance)", "token_file": "\#(tokenFile)", "receiver_url": "http://127.0.0.1:1", "reapply_interval": "1h", "quotas": [{"unit": "requests_all_authenticated", "amount": \#(amount), "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]}"#
    }

    @Test func reloadsOfAnUnchangedConfigurationCallNoUpstreamAndRestartNoProvisioning() async throws {
        let zitadel = try CountingZitadel()
        let directory = TemporaryDirectory()
        let token = directory.write("token", "a-token\n")
        func config(amountOfB: Int) -> String {
            #"{"global": {"min_interval": "1h", "max_staleness": "2h"}, "zitadel": [\#(Self.entry("a", url: zitadel.url, tokenFile: token)), \#(Self.entry("b", url: zitadel.url, tokenFile: token, amount: amountOfB))]}"#
        }
        let file = directory.write("config.json", config(amountOfB: 1000))
        var options = testOptions
        options.configFile = file
        options.storagePath = directory.path
        options.enableLifecycle = true
        let counter = UpstreamRequestCounter()
        let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: counter, storagePath: directory.path))
        let loader = ConfigurationLoader(providers: providers, environment: .process)
        let configuration = try loader.load(file: file)
        let runtime = ExporterRuntime(options: options, providers: providers, configuration: configuration, loader: loader, counter: counter, logger: .disabled)
        try runtime.prepareConfiguration(configuration.targets)
        await runtime.applyConfiguration(configuration.targets)
        defer { Task { await runtime.shutdownProviders() } }

        // The first scrape waits for each instance's first provisioning round.
        let first = await get(runtime.handler, "/metrics")
        #expect(first.text.contains(#"quota_exporter_collector_up{provider="zitadel",account="a",collector="provisioning"} 1"#))
        #expect(zitadel.count("a") == 1 && zitadel.count("b") == 1)

        for _ in 0..<20 {
            #expect(await get(runtime.handler, "/-/reload", method: "POST").status == 200)
            _ = await get(runtime.handler, "/metrics")
        }
        #expect(zitadel.count("a") == 1, "an unchanged instance is not provisioned again by a reload")
        #expect(zitadel.count("b") == 1)

        // Changing b provisions b again, and only b.
        _ = directory.write("config.json", config(amountOfB: 2000))
        #expect(await get(runtime.handler, "/-/reload", method: "POST").status == 200)
        _ = await get(runtime.handler, "/metrics")
        #expect(zitadel.count("b") == 2, "a changed instance is refreshed at once")
        #expect(zitadel.count("a") == 1)
        for _ in 0..<5 {
            _ = await get(runtime.handler, "/-/reload", method: "POST")
            _ = await get(runtime.handler, "/metrics")
        }
        #expect(zitadel.count("a") == 1 && zitadel.count("b") == 2)

        // A rotated secret file with the same configuration text is a change, too.
        _ = directory.write("token", "another-token\n")
        #expect(await get(runtime.handler, "/-/reload", method: "POST").status == 200)
        _ = await get(runtime.handler, "/metrics")
        #expect(zitadel.count("a") == 2 && zitadel.count("b") == 3)
        await zitadel.server.shutdown(gracePeriod: 1)
    }
}
