import Foundation

/// Runs `scripts/huawei_sign.py`, the independent Python implementation of
/// SDK-HMAC-SHA256, over a batch of requests. Input and output go through
/// temporary files, so a large batch cannot deadlock on a full pipe.
enum PythonSigner {
    struct Output: Decodable {
        let canonical_request: String
        let string_to_sign: String
        let authorization: String
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/huawei_sign.py").path
    }

    /// One JSON object per request, as the script documents.
    static func sign(_ requests: [[String: Any]]) throws -> [Output] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("huawei-sign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("in")
        let output = scratch.appendingPathComponent("out")
        let errors = scratch.appendingPathComponent("err")
        var lines = Data()
        for request in requests {
            lines.append(try JSONSerialization.data(withJSONObject: request))
            lines.append(0x0A)
        }
        try lines.write(to: input)
        try Data().write(to: output)
        try Data().write(to: errors)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptFailure(message: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
        }
        let decoder = JSONDecoder()
        return try String(decoding: try Data(contentsOf: output), as: UTF8.self)
            .split(separator: "\n")
            .map { try decoder.decode(Output.self, from: Data($0.utf8)) }
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { "huawei_sign.py failed: \(message)" }
    }
}
