import Foundation
import LoopbackSupport

/// Runs `scripts/huawei_sign.py`, the independent Python implementation of
/// SDK-HMAC-SHA256, over a batch of requests, off the cooperative pool.
/// `ChildCommand` serves stdin, stdout and stderr together, so a large
/// batch cannot deadlock on a full pipe.
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
    static func sign(_ requests: [[String: Any]]) async throws -> [Output] {
        var lines = Data()
        for request in requests {
            lines.append(try JSONSerialization.data(withJSONObject: request))
            lines.append(0x0A)
        }
        let python = try await ChildCommand(["python3", scriptPath], stdin: .bytes(Array(lines)), niceness: ChildCommand.toolNiceness).run()
        guard python.status == 0 else {
            throw ScriptFailure(message: python.stderrText)
        }
        let decoder = JSONDecoder()
        return try python.stdoutText
            .split(separator: "\n")
            .map { try decoder.decode(Output.self, from: Data($0.utf8)) }
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { "huawei_sign.py failed: \(message)" }
    }
}
