import Foundation
import QuotaCollection
import QuotaConfig
import QuotaHTTP
import QuotaLogging
import QuotaTime
@testable import QuotaZitadel

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A scratch directory removed when the value is released.
final class ScratchDirectory: @unchecked Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "quota-zitadel-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Double

    init(_ now: Double) { self.now = now }

    var time: Double {
        lock.withLock { now }
    }

    func set(_ value: Double) {
        lock.withLock { now = value }
    }

    var function: @Sendable () -> Double {
        { [self] in time }
    }
}

/// Waits for `condition` to hold, checking every 20 ms; false after `seconds`.
/// A liveness bound only: tests assert on the condition, never on the time taken.
/// 60 s because a full `swift test` on a loaded 2-core machine stalls every
/// suite for ~40 s at its start; 20 s failed the first provisioning test then.
func eventually(within seconds: Double = 60, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return await condition()
}

func unixTime(_ text: String) -> Double {
    try! RFC3339.parse(text)
}

/// A real HTTP client for the tests' POSTs and the fake's callbacks.
func makeHTTPClient() -> UpstreamClient {
    var settings = UpstreamClient.Settings()
    settings.maxRetries = 0
    // The receiver's handlers run on the cooperative pool, which this test
    // process shares with suites that block it for many seconds (openssl
    // making 4096-bit keys, Python cross-checks): a request may wait that
    // long for its answer without anything being wrong with the exporter.
    settings.requestTimeout = 60
    return UpstreamClient(provider: "test", settings: settings, counter: UpstreamRequestCounter(), logger: .disabled)
}

func post(_ client: UpstreamClient, _ url: String, body: [UInt8], contentType: String = "application/json") async throws -> UpstreamResponse {
    guard let target = HTTPURL(string: url) else { throw TestFailure("bad URL") }
    return try await client.send(UpstreamRequest(
        method: "POST", url: target, headers: [("Content-Type", contentType)], body: body,
        rateLimitScope: UUID().uuidString, retryable: false
    ))
}

/// The exporter's listener, reduced to what a provider serves: its routes.
final class ProviderServer: Sendable {
    let server: HTTPServer
    let port: UInt16

    init(routes: [ProviderRoute]) throws {
        let handler = ClosureHTTPHandler { request in
            for route in routes where route.methods.contains(request.method) {
                if request.path == route.path || (route.matchesSubpaths && request.path.hasPrefix(route.path + "/")) {
                    return await route.handler(request)
                }
            }
            return .text(404, "no route\n")
        }
        server = HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: "127.0.0.1:0")]),
            handler: handler, logger: .disabled
        )
        try server.start()
        port = server.boundAddresses[0].port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        await server.shutdown(gracePeriod: 1)
    }
}
