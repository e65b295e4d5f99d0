import Foundation
import QuotaCollection
import QuotaConfig
import QuotaExporter
import QuotaHTTP
import QuotaLogging

/// Options for tests: a long scrape budget, because other suites running in
/// parallel can hold the cooperative threads a collection needs for seconds.
var testOptions: ExporterOptions {
    var options = ExporterOptions()
    options.defaultScrapeTimeout = 60
    return options
}

/// Builds a runtime from a JSON configuration text, as the binary would.
func makeRuntime(
    _ json: String,
    options: ExporterOptions = testOptions,
    environment: ConfigEnvironment = .inMemory(),
    logger: Logger = .disabled,
    clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
) throws -> ExporterRuntime {
    let counter = UpstreamRequestCounter()
    let providers = Exporter.builtInProviders(context: ProviderContext(logger: logger, upstreamCounter: counter))
    let loader = ConfigurationLoader(providers: providers, environment: environment)
    let configuration = try loader.parse(ConfigObject.parse(Array(json.utf8), environment: environment), source: "test")
    return ExporterRuntime(options: options, providers: providers, configuration: configuration, loader: loader, counter: counter, logger: logger, clock: clock)
}

func get(_ handler: any HTTPHandler, _ target: String, method: String = "GET", headers: HTTPHeaders = [:]) async -> HTTPResponse {
    await handler.handle(HTTPRequest(method: method, target: target, headers: headers))
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A scratch directory removed when the test ends.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "quota-exporter-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

let staticConfig = """
{
  "global": {"min_interval": "60s"},
  "static": [
    {"account": "acme", "labels": {"team": "platform"}, "quotas": [
      {"quota": "seats", "unit": "seats", "limit": 250, "usage": 231, "enforced": true, "reset": "2027-01-01T00:00:00Z"},
      {"quota": "tickets", "unit": "tickets", "limit": 100, "usage": 100}
    ]}
  ]
}
"""
