import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The built `quota_exporter` binary run as a child process, as an operator
/// would run it. It sits next to the test bundle in the build folder.
final class ExporterProcess: @unchecked Sendable {
    static var binaryPath: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("quota_exporter").path
    }

    let process = Process()
    private let lock = NSLock()
    private var stderrText = ""
    private var stdoutText = ""

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CLOUDFLARE_") && !$0.key.hasPrefix("HUAWEI") && !$0.key.hasPrefix("ZITADEL") }
        env.merge(environment) { $1 }
        process.environment = env
        let errPipe = Pipe()
        let outPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = outPipe
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.stderrText += String(decoding: data, as: UTF8.self) }
        }
        outPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.stdoutText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var stderr: String { lock.withLock { stderrText } }
    var stdout: String { lock.withLock { stdoutText } }

    /// Runs to completion and returns the exit status.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ExporterProcess(arguments, environment: environment)
        let status = await child.waitForExit(timeout: timeout) ?? -1
        try? await Task.sleep(nanoseconds: 50_000_000)  // let the pipes drain
        return (status, child.stdout, child.stderr)
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

    func waitForExit(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    deinit {
        if process.isRunning {
            process.terminate()
        }
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
