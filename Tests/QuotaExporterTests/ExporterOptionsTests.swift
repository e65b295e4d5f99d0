import QuotaExporter
import QuotaLogging
import Testing

@Suite struct ExporterOptionsTests {
    @Test func defaults() throws {
        let options = try ExporterOptions.parse([])
        #expect(options.listenAddresses == [":8795"])
        #expect(options.telemetryPath == "/metrics")
        #expect(options.configFile == nil)
        #expect(options.logLevel == .info)
        #expect(options.logFormat == .logfmt)
        #expect(options.timeoutOffset == 0.5)
        #expect(options.replicas == 1)
        #expect(options.webConfigFile == nil)
        #expect(!options.enableLifecycle)
        #expect(options.eventLoops == nil)
    }

    @Test func webFlags() throws {
        let options = try ExporterOptions.parse(["--web.config.file=web.yml", "--web.enable-lifecycle"])
        #expect(options.webConfigFile == "web.yml")
        #expect(options.enableLifecycle)
    }

    @Test func clusterReplicas() throws {
        #expect(try ExporterOptions.parse(["--cluster.replicas=2"]).replicas == 2)
        #expect(try ExporterOptions.parse(["--cluster.replicas", "16"]).replicas == 16)
        for bad in ["0", "-1", "17", "two", "", "2.0"] {
            #expect {
                try ExporterOptions.parse(["--cluster.replicas=\(bad)"])
            } throws: { error in
                "\(error)".contains("--cluster.replicas must be an integer from 1 to 16")
            }
        }
    }

    @Test func eventLoops() throws {
        #expect(try ExporterOptions.parse(["--web.event-loops=auto"]).eventLoops == nil)
        #expect(try ExporterOptions.parse(["--web.event-loops", "1"]).eventLoops == 1)
        #expect(try ExporterOptions.parse(["--web.event-loops=64"]).eventLoops == 64)
        for bad in ["0", "-2", "65", "many", "", "1.5"] {
            #expect {
                try ExporterOptions.parse(["--web.event-loops=\(bad)"])
            } throws: { error in
                "\(error)".contains("--web.event-loops must be auto or an integer from 1 to 64")
            }
        }
        // auto: one per CPU the process may use, at most 4.
        #expect([0, 1, 2, 3, 4, 5, 128].map { ExporterOptions.defaultEventLoops(availableCPUs: $0) } == [1, 1, 2, 3, 4, 4, 4])
    }

    @Test func repeatedListenAddressesAndHouseStyleFlags() throws {
        let options = try ExporterOptions.parse([
            "--web.listen-address=127.0.0.1:9000", "--web.listen-address", "[::1]:9000",
            "--web.telemetry-path=/m", "--config.file=x.json", "--log.level=debug", "--log.format=json", "--once",
        ])
        #expect(options.listenAddresses == ["127.0.0.1:9000", "[::1]:9000"])
        #expect(options.telemetryPath == "/m")
        #expect(options.configFile == "x.json")
        #expect(options.logLevel == .debug)
        #expect(options.logFormat == .json)
        #expect(options.once)
    }

    @Test func badValuesAreErrors() {
        #expect(throws: (any Error).self) { try ExporterOptions.parse(["--log.level=loud"]) }
        #expect(throws: (any Error).self) { try ExporterOptions.parse(["--log.format=xml"]) }
        #expect(throws: (any Error).self) { try ExporterOptions.parse(["--web.telemetry-path=/"]) }
        #expect(throws: (any Error).self) { try ExporterOptions.parse(["--web.listen-adress=:1"]) }
        #expect(throws: (any Error).self) { try ExporterOptions.parse(["--scrape.default-timeout=100ms"]) }
    }

    @Test func usageListsEveryFlag() {
        for flag in ["--web.listen-address=", "--web.telemetry-path=", "--config.file=", "--[no-]config.check", "--[no-]once",
                     "--log.level=", "--log.format=", "--cluster.replicas=", "--[no-]version", "--[no-]help",
                     "--web.config.file=", "--[no-]web.enable-lifecycle", "--web.event-loops="] {
            #expect(ExporterOptions.usage.contains(flag), "\(flag) missing from --help")
        }
    }
}
