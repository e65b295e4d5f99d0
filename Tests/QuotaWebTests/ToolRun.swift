import Foundation
import LoopbackSupport

/// Runs a tool to completion off the cooperative pool; nil when it cannot
/// start. Through `ChildCommand`, never Foundation's `Process` (see there why).
func runTool(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, stdout: String)? {
    let command = ChildCommand(arguments, stdin: input.map { .bytes(Array($0.utf8)) } ?? .null, stderr: .null)
    guard let result = try? await command.run() else { return nil }
    return (result.status, result.stdoutText)
}

/// bcrypt hashes of `password` made outside this project: Python's
/// `bcrypt` package (its own C implementation) when installed, Python's
/// `crypt` module (3.11; libcrypt, the library under test, so a weaker
/// witness) otherwise, and `htpasswd -B` when apache2-utils is there.
func externalBcryptHashes(_ password: String, cost: Int = 4) async throws -> [(maker: String, hash: String)] {
    // Made once per password and cost: each costs a Python start.
    let key = "\(cost):\(password)"
    if let made = madeHashes.withLock({ $0[key] }) { return made }
    let made = try await makeExternalBcryptHashes(password, cost: cost)
    madeHashes.withLock { $0[key] = made }
    return made
}

private let madeHashes = NSLockedHashes()

/// A lock around the made hashes (tests may use Foundation).
private final class NSLockedHashes: @unchecked Sendable {
    private let lock = NSLock()
    private var hashes: [String: [(maker: String, hash: String)]] = [:]

    func withLock<T>(_ body: (inout [String: [(maker: String, hash: String)]]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&hashes)
    }
}

private func makeExternalBcryptHashes(_ password: String, cost: Int) async throws -> [(maker: String, hash: String)] {
    var hashes: [(String, String)] = []
    let script = """
        import sys
        password = sys.stdin.read().encode()
        try:
            import bcrypt
            print("bcrypt", bcrypt.hashpw(password, bcrypt.gensalt(\(cost), prefix=b"2b")).decode())
            print("bcrypt-2a", bcrypt.hashpw(password, bcrypt.gensalt(\(cost), prefix=b"2a")).decode())
        except ImportError:
            import warnings
            warnings.simplefilter("ignore")
            import crypt
            print("crypt", crypt.crypt(password.decode(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=\(1 << cost))))
        """
    if let python = try await runTool(["python3", "-c", script], input: password), python.status == 0 {
        for line in python.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { hashes.append((String(parts[0]), String(parts[1]))) }
        }
    }
    if let htpasswd = try await runTool(["htpasswd", "-nbBC", String(cost), "user", password]), htpasswd.status == 0,
       let line = htpasswd.stdout.split(separator: "\n").first, let colon = line.firstIndex(of: ":") {
        hashes.append(("htpasswd", String(line[line.index(after: colon)...])))
    }
    return hashes
}
