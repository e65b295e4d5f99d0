import Foundation

/// Runs an external tool (python3, openssl) so results can be compared with
/// an implementation that shares no code with ours.
///
/// stdin, stdout and stderr go through temporary files rather than pipes, so
/// a chatty tool can never deadlock against a full pipe buffer.
struct Subprocess {
    struct Output {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// Runs `arguments[0]` looked up on PATH via /usr/bin/env.
    static func run(_ arguments: [String], stdin: [UInt8] = [], in directory: URL? = nil) throws -> Output {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("quota-crypto-subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdinURL = scratch.appendingPathComponent("stdin")
        let stdoutURL = scratch.appendingPathComponent("stdout")
        let stderrURL = scratch.appendingPathComponent("stderr")
        try Data(stdin).write(to: stdinURL)
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = try FileHandle(forReadingFrom: stdinURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        process.waitUntilExit()

        return Output(
            status: process.terminationStatus,
            stdout: Array(try Data(contentsOf: stdoutURL)),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self)
        )
    }
}
