import Dispatch
import FuzzSupport
import QuotaCollection
import QuotaConfig
@testable import QuotaExporter
@testable import QuotaHTTP

/// Requests all the way into the exporter's handler: the byte stream is
/// parsed as a connection would parse it, and every complete request is
/// answered by the real `ExporterRuntime` router (`/metrics` with its
/// `Accept` and `X-Prometheus-Scrape-Timeout-Seconds`, the status page,
/// `/-/reload`, the probes, unknown paths and methods). Catches what the
/// handlers make of header values (issue 10 item 1: a scrape timeout of
/// `1e16` trapped converting to `Int`). Static targets only: nothing
/// leaves the process and no file is read.
private let configuration = #"{"static": [{"account": "fuzz", "quotas": [{"quota": "seats", "unit": "seats", "limit": 10, "usage": 3}]}]}"#

private let handler: any HTTPHandler = {
    let environment = ConfigEnvironment.inMemory()
    let counter = UpstreamRequestCounter()
    let providers = Exporter.builtInProviders(context: ProviderContext(logger: .disabled, upstreamCounter: counter))
    let loader = ConfigurationLoader(providers: providers, environment: environment)
    do {
        let loaded = try loader.parse(ConfigObject.parse(Array(configuration.utf8), environment: environment), source: "fuzz")
        var options = ExporterOptions()
        options.defaultScrapeTimeout = 1
        return ExporterRuntime(options: options, providers: providers, configuration: loaded, loader: loader, counter: counter, logger: .disabled).handler
    } catch {
        fatalError("fuzz configuration does not load: \(error)")
    }
}()

private final class Answer: @unchecked Sendable {
    var response: HTTPResponse?
}

private func answer(_ request: HTTPRequest) -> HTTPResponse {
    let done = DispatchSemaphore(value: 0)
    let answer = Answer()
    Task {
        answer.response = await handler.handle(request)
        done.signal()
    }
    done.wait()
    return answer.response!
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = RequestParser(maxHeadBytes: 8192, maxBodyBytes: 65536)
    while true {
        switch parser.next(&input) {
        case .needMoreData, .failed:
            return 0
        case .headReceived:
            continue
        case .requestComplete(let head, let body):
            let response = answer(HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body))
            fuzzCheck((100..<600).contains(response.status), "status \(response.status)")
        }
    }
}
