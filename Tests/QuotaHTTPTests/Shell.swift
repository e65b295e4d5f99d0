import Foundation
import LoopbackSupport

/// Runs `script` with /bin/sh off the cooperative pool; its exit status and
/// everything it wrote (stdout and stderr together).
func shell(_ script: String) async throws -> (status: Int32, output: String) {
    try await offPool {
        let output = NSTemporaryDirectory() + "quota-http-shell-\(getpid())-\(UUID().uuidString)"
        defer { unlink(output) }
        let child = try Spawned(["/bin/sh", "-c", "exec >'\(output)' 2>&1 </dev/null\n" + script])
        let status = child.closeInputAndWait()
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}

/// A GET of `path` through `openssl s_client` with `options`: what came
/// back (the response when the handshake worked, openssl's errors if not).
func sClientGet(port: UInt16, path: String = "/hello", _ options: String) async throws -> String {
    let request = "GET \(path) HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n"
    return try await shell("printf '\(request)' | openssl s_client -connect 127.0.0.1:\(port) -servername localhost -quiet \(options)").output
}
