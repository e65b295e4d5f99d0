import Foundation
import LoopbackSupport

/// Runs an external tool (python3, openssl) so results can be compared with
/// an implementation that shares no code with ours. Through LoopbackSupport's
/// `ChildCommand`, never Foundation's `Process` (see there why); stdin,
/// stdout and stderr are pipes served together, so a chatty tool cannot
/// deadlock against a full pipe buffer.
struct Subprocess {
    struct Output: Sendable {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// `runBlocking` on a thread of its own, never on the cooperative pool.
    static func run(_ arguments: [String], stdin: [UInt8] = [], in directory: URL? = nil) async throws -> Output {
        try await offPool { try runBlocking(arguments, stdin: stdin, in: directory) }
    }

    /// Runs `arguments[0]` looked up on PATH; status 127 when it cannot be
    /// started, as /usr/bin/env reported a missing tool.
    static func runBlocking(_ arguments: [String], stdin: [UInt8] = [], in directory: URL? = nil) throws -> Output {
        let command = ChildCommand(arguments, directory: directory?.path, stdin: .bytes(stdin), niceness: ChildCommand.toolNiceness)
        let child: Spawned
        do {
            child = try command.spawn()
        } catch {
            return Output(status: 127, stdout: [], stderr: "\(error)")
        }
        let result = child.finish()
        return Output(status: result.status, stdout: result.stdout, stderr: result.stderrText)
    }
}
