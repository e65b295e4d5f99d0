import Foundation
import LoopbackSupport

/// Keys made by the real `openssl` command, once per test run, in a
/// temporary directory; the RSA tests compare our results with openssl's.
///
/// When openssl is missing the fixture holds an error that every RSA test
/// rethrows, so the tests fail loudly instead of passing without checking
/// anything. CI installs openssl.
struct OpenSSLKeys: Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// One RSA key in every encoding we accept.
    struct RSAKeyFiles: Sendable {
        let bits: Int
        /// `-----BEGIN PRIVATE KEY-----`, as `openssl genpkey` writes it.
        let pkcs8: URL
        /// `-----BEGIN RSA PRIVATE KEY-----`.
        let pkcs1: URL
        /// `-----BEGIN PUBLIC KEY-----`.
        let spkiPublic: URL
        /// `-----BEGIN RSA PUBLIC KEY-----`.
        let pkcs1Public: URL
    }

    let directory: URL
    let rsa2048: RSAKeyFiles
    let rsa4096: RSAKeyFiles
    /// PKCS#8 `-----BEGIN ENCRYPTED PRIVATE KEY-----`.
    let encryptedPKCS8: URL
    /// PKCS#1 with `Proc-Type: 4,ENCRYPTED` headers.
    let encryptedTraditional: URL
    let ecP256: URL
    let ed25519: URL

    static let shared: Result<OpenSSLKeys, Unavailable> = Result { () throws(Unavailable) in try OpenSSLKeys() }

    /// The shared keys, or a thrown error explaining how to get openssl.
    /// Awaited on a thread of its own: making a 4096-bit key takes many
    /// seconds on a loaded machine, and every test waiting for it on the
    /// cooperative pool (two threads here) stalled all the other suites.
    static func get() async throws -> OpenSSLKeys {
        try await offPool { try shared.get() }
    }

    private init() throws(Unavailable) {
        do {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("quota-crypto-keys-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            rsa2048 = try Self.makeRSAKey(bits: 2048, in: directory)
            rsa4096 = try Self.makeRSAKey(bits: 4096, in: directory)
            encryptedPKCS8 = directory.appendingPathComponent("encrypted-pkcs8.pem")
            try Self.opensslBlocking(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                              "-aes256", "-pass", "pass:x", "-out", encryptedPKCS8.path])
            encryptedTraditional = directory.appendingPathComponent("encrypted-pkcs1.pem")
            try Self.opensslBlocking(["rsa", "-in", rsa2048.pkcs8.path, "-traditional", "-aes256",
                              "-passout", "pass:x", "-out", encryptedTraditional.path])
            ecP256 = directory.appendingPathComponent("ec.pem")
            try Self.opensslBlocking(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                              "-out", ecP256.path])
            ed25519 = directory.appendingPathComponent("ed25519.pem")
            try Self.opensslBlocking(["genpkey", "-algorithm", "ED25519", "-out", ed25519.path])
        } catch let error as Unavailable {
            throw error
        } catch {
            throw Unavailable(description: "could not prepare openssl test keys: \(error)")
        }
    }

    private static func makeRSAKey(bits: Int, in directory: URL) throws -> RSAKeyFiles {
        func file(_ name: String) -> URL { directory.appendingPathComponent("rsa\(bits)-\(name).pem") }
        let files = RSAKeyFiles(bits: bits, pkcs8: file("pkcs8"), pkcs1: file("pkcs1"),
                                spkiPublic: file("spki-public"), pkcs1Public: file("pkcs1-public"))
        try opensslBlocking(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", files.pkcs8.path])
        try opensslBlocking(["pkey", "-in", files.pkcs8.path, "-traditional", "-out", files.pkcs1.path])
        try opensslBlocking(["pkey", "-in", files.pkcs8.path, "-pubout", "-out", files.spkiPublic.path])
        try opensslBlocking(["rsa", "-in", files.pkcs8.path, "-RSAPublicKey_out", "-out", files.pkcs1Public.path])
        return files
    }

    /// `opensslBlocking` off the cooperative pool.
    @discardableResult
    static func openssl(_ arguments: [String], stdin: [UInt8] = []) async throws -> Subprocess.Output {
        try await offPool { try opensslBlocking(arguments, stdin: stdin) }
    }

    /// Runs openssl and returns its stdout; throws with its stderr on failure.
    @discardableResult
    private static func opensslBlocking(_ arguments: [String], stdin: [UInt8] = []) throws -> Subprocess.Output {
        let output = try Subprocess.runBlocking(["openssl"] + arguments, stdin: stdin)
        // 127: not on PATH (Subprocess reports it as /usr/bin/env did).
        if output.status == 127 {
            throw Unavailable(description:
                "openssl is not installed (or not on PATH); install it, e.g. `apt-get install openssl`: "
                + "the RSA tests compare our signatures with openssl's")
        }
        guard output.status == 0 else {
            throw Unavailable(description:
                "openssl \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
        }
        return output
    }

    /// `openssl dgst -sha256 -sign key` over `message`.
    static func sign(_ message: [UInt8], key: URL) async throws -> [UInt8] {
        try await openssl(["dgst", "-sha256", "-sign", key.path], stdin: message).stdout
    }

    /// Whether `openssl dgst -sha256 -verify` accepts `signature` over `message`.
    static func verify(_ signature: [UInt8], message: [UInt8], publicKey: URL) async throws -> Bool {
        let signatureFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("quota-crypto-signature-\(UUID().uuidString)")
        try Data(signature).write(to: signatureFile)
        defer { try? FileManager.default.removeItem(at: signatureFile) }
        let output = try await Subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", publicKey.path, "-signature", signatureFile.path],
            stdin: message)
        return output.status == 0 && String(decoding: output.stdout, as: UTF8.self).contains("Verified OK")
    }

    static func text(of file: URL) throws -> String {
        try String(contentsOf: file, encoding: .utf8)
    }
}
