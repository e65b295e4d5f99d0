import Foundation
import LoopbackSupport
import Testing

/// `scripts/check_no_process.sh` as part of `swift test`, so a new use of
/// Foundation's `Process` fails where it is written, not only in CI (see
/// `ChildCommand` for the crash it brings).
@Suite struct NoFoundationProcessTests {
    @Test func noTestUsesFoundationProcess() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let check = try await ChildCommand(["/bin/bash", root.path + "/scripts/check_no_process.sh"]).run(timeout: 120)
        #expect(check.status == 0, "\(check.stdoutText)\(check.stderrText)")
    }
}
