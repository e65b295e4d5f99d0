import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import LoopbackSupport

/// The built `quota_exporter` binary run as a child process, as an operator
/// would run it. It sits next to the test bundle in the build folder.
/// Started with LoopbackSupport's `ChildCommand`, not Foundation's `Process`
/// (see `ChildCommand` why); its stdout and stderr are read as they come
/// on a thread of its own.
final class ExporterProcess: @unchecked Sendable {
    static var binaryPath: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("quota_exporter").path
    }

    let process: Spawned
    private let output = Output()

    /// What the exporter wrote so far, appended by the reading thread.
    private final class Output: @unchecked Sendable {
        let lock = NSLock()
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
    }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = try Self.command(arguments, environment: environment).spawn()
        // The thread ends at the pipes' EOF: when the exporter exits, or is
        // killed as the last reference to `process` goes.
        let (process, output) = (process, output)
        Thread {
            process.drain { stream, chunk in
                output.lock.withLock {
                    if stream == .stdout { output.stdout += chunk } else { output.stderr += chunk }
                }
            }
        }.start()
    }

    /// The binary with `arguments`, in this environment without the providers' credentials plus `environment`.
    private static func command(_ arguments: [String], environment: [String: String]) -> ChildCommand {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CLOUDFLARE_") && !$0.key.hasPrefix("HUAWEI") && !$0.key.hasPrefix("ZITADEL") }
        env.merge(environment) { $1 }
        return ChildCommand([binaryPath] + arguments, environment: .replaced(env))
    }

    var stderr: String { output.lock.withLock { String(decoding: output.stderr, as: UTF8.self) } }
    var stdout: String { output.lock.withLock { String(decoding: output.stdout, as: UTF8.self) } }

    /// Runs to completion (both pipes read to their end) and returns the
    /// exit status, -1 when it outlived `timeout` (it is killed then).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) async throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try await command(arguments, environment: environment).run(timeout: timeout)
        return (result.status, result.stdoutText, result.stderrText)
    }

    /// Waits for the log line that names the bound addresses, and returns the first port.
    /// Polls with `Task.sleep`, never blocking a cooperative thread.
    func waitForPort(timeout: Double = 60) async -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let range = stderr.range(of: #"addresses=\S*?:(\d+)"#, options: .regularExpression) {
                let match = String(stderr[range])
                return Int(match.split(separator: ":").last ?? "")
            }
            if !process.isRunning { return nil }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return nil
    }

    /// The exit code (-1 for a signal), nil while it still runs after `timeout` seconds.
    func waitForExit(timeout: Double) async -> Int32? {
        await process.waitForExit(timeout: timeout)?.code
    }

    func signal(_ number: Int32) {
        process.signal(number)
    }

    /// A SIGTERM, as `Process.terminate` sent, and a SIGKILL if that did
    /// not end it within 10 s; on a thread of its own, never waiting here.
    deinit {
        guard process.signal(SIGTERM) else { return }
        let process = process
        Thread {
            if process.wait(timeout: 10) == nil { process.signal(SIGKILL) }
        }.start()
    }
}

/// A GET over a real socket with URLSession, off the cooperative pool.
func fetch(port: Int, path: String, method: String = "GET", headers: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], body: String) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    request.httpMethod = method
    // In-process runtimes answer from the cooperative pool, which suites of
    // this test process (openssl, Python cross-checks) can hold for many
    // seconds on a small, busy machine.
    request.timeoutInterval = 60
    for (name, value) in headers {
        request.setValue(value, forHTTPHeaderField: name)
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields {
        if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
    }
    return (http.statusCode, fields, String(decoding: data, as: UTF8.self))
}
