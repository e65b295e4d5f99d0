import Foundation
#if canImport(Glibc)
import Glibc
#endif
import QuotaHTTP
import QuotaLogging

/// Runs blocking socket code on its own thread, so test clients waiting on
/// the server never occupy the (two-thread) cooperative pool the server's
/// handlers need.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass.
/// Generous by default: it returns as soon as the condition holds, and other
/// suites running in parallel can hold the cooperative threads for seconds.
func eventually(within seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A handler with a few routes the tests lean on.
let testHandler = ClosureHTTPHandler { request in
    switch request.path {
    case "/echo":
        return HTTPResponse(status: 200, headers: ["X-Method": request.method], body: request.body)
    case "/slow":
        let milliseconds = Int(request.query ?? "") ?? 1000
        try? await Task.sleep(for: .milliseconds(milliseconds))
        return .text(200, "slow done")
    case "/parts":
        // More parts than one sendmsg takes, of uneven sizes, some large
        // enough that the kernel accepts only part of a call.
        let parts = (0..<150).map { index in [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: index % 7 == 0 ? 40_000 : index + 1) }
        return HTTPResponse(status: 200, bodyParts: parts)
    case "/big":
        return HTTPResponse(status: 200, body: [UInt8](repeating: UInt8(ascii: "x"), count: 5 << 20))
    case "/remote":
        return .text(200, request.remoteAddress)
    default:
        return .text(200, "hello \(request.target)")
    }
}

/// Starts a server on an ephemeral loopback port, runs `body`, and always
/// shuts the server down afterwards.
func withServer(
    address: String = "127.0.0.1:0",
    transport: Transport = .plain,
    logger: Logger = .disabled,
    handler: any HTTPHandler = testHandler,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (HTTPServer, UInt16) async throws -> Void
) async throws {
    try await transport.prepare()
    var configuration = HTTPServerConfiguration(listenAddresses: [try ListenAddress(parsing: address)])
    transport.configure(&configuration)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler, logger: logger)
    try server.start()
    do {
        try await body(server, server.boundAddresses[0].port)
    } catch {
        await server.shutdown(gracePeriod: .seconds(1))
        throw error
    }
    await server.shutdown(gracePeriod: .seconds(1))
}

func get(_ path: String, extraHeaders: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n\(extraHeaders)\r\n"
}

/// Raises this process's open-file limit for tests that hold hundreds of
/// sockets on both ends of loopback.
func raiseOpenFileLimit(to wanted: rlim_t = 4096) {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_cur < wanted {
        limit.rlim_cur = min(limit.rlim_max, wanted)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
