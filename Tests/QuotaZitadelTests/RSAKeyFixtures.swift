import Foundation
import LoopbackSupport
import QuotaCrypto

/// RSA keys made by the real openssl, once per run: the system user's key
/// in PKCS#8 and PKCS#1 form at 2048 and 4096 bits, and its public key for
/// the fake ZITADEL. Without openssl every test using them fails loudly.
struct RSAKeyFixtures: Sendable {
    struct Key: Sendable {
        let bits: Int
        let pkcs8Path: String
        let pkcs1Path: String
        let publicKey: RSAPublicKey
        let pkcs8: String
        let pkcs1: String
    }

    let rsa2048: Key
    let rsa4096: Key

    static let shared: Result<RSAKeyFixtures, TestFailure> = Result { () throws(TestFailure) in try RSAKeyFixtures() }

    /// Waits for the keys on a thread of its own: making a 4096-bit key on a
    /// loaded machine takes many seconds, and every test that waited for it
    /// on the cooperative pool (two threads here) stalled all the others.
    static func get() async throws -> RSAKeyFixtures {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: shared.mapError { $0 as any Error }) }.start()
        }
    }

    private init() throws(TestFailure) {
        let directory = NSTemporaryDirectory() + "quota-zitadel-keys-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            rsa2048 = try Self.make(bits: 2048, in: directory)
            rsa4096 = try Self.make(bits: 4096, in: directory)
        } catch let error as TestFailure {
            throw error
        } catch {
            throw TestFailure("cannot make RSA keys with openssl: \(error)")
        }
    }

    private static func make(bits: Int, in directory: String) throws -> Key {
        let pkcs8 = "\(directory)/rsa\(bits)-pkcs8.pem"
        let pkcs1 = "\(directory)/rsa\(bits)-pkcs1.pem"
        let spki = "\(directory)/rsa\(bits)-public.pem"
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", pkcs8])
        try openssl(["pkey", "-in", pkcs8, "-traditional", "-out", pkcs1])
        try openssl(["pkey", "-in", pkcs8, "-pubout", "-out", spki])
        return Key(
            bits: bits, pkcs8Path: pkcs8, pkcs1Path: pkcs1,
            publicKey: try RSAPublicKey(pem: String(contentsOfFile: spki, encoding: .utf8)),
            pkcs8: try String(contentsOfFile: pkcs8, encoding: .utf8),
            pkcs1: try String(contentsOfFile: pkcs1, encoding: .utf8)
        )
    }

    /// Runs openssl with output to /dev/null; throws with its exit status.
    /// Blocking: for the fixture's own thread.
    static func openssl(_ arguments: [String]) throws {
        // 127 when openssl cannot be started, as /usr/bin/env reported it.
        let status = (try? ChildCommand(["openssl"] + arguments, stdout: .null, stderr: .null, niceness: ChildCommand.toolNiceness).runBlocking().status) ?? 127
        guard status == 0 else {
            throw TestFailure("openssl \(arguments.first ?? "") exited with \(status) (is openssl installed?)")
        }
    }

    /// `openssl dgst -sha256 -sign key`, for the byte-for-byte comparison; off the cooperative pool.
    static func opensslSign(_ message: [UInt8], keyPath: String) async throws -> [UInt8] {
        try await offPool { try opensslSignBlocking(message, keyPath: keyPath) }
    }

    private static func opensslSignBlocking(_ message: [UInt8], keyPath: String) throws -> [UInt8] {
        let directory = NSTemporaryDirectory() + "quota-zitadel-sign-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(message).write(to: URL(fileURLWithPath: directory + "/in"))
        try openssl(["dgst", "-sha256", "-sign", keyPath, "-out", directory + "/sig", directory + "/in"])
        return Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/sig")))
    }
}
