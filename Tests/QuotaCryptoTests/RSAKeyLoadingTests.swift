import Foundation
@testable import QuotaCrypto
import Testing

/// Loading keys, and above all refusing the wrong ones with errors an SRE
/// can act on.
/// Serialized: every test here waits for the one set of openssl keys,
/// and all of them resuming at once (RSA in a debug build) held both
/// cooperative threads for seconds, starving the timed server suites.
@Suite("RSA key loading and its errors", .serialized)
struct RSAKeyLoadingTests {
    @Test("PEM with CRLF, indentation and explanatory text still loads")
    func toleratesMessyPEM() async throws {
        let files = try await RSAOpenSSLTests.files(bits: 2048)
        let clean = try OpenSSLKeys.text(of: files.pkcs8)
        let messy = "Key for ZITADEL, rotated 2026-01-01\r\n"
            + clean.split(separator: "\n").map { "  \($0)  " }.joined(separator: "\r\n") + "\r\n\r\n"
        #expect(try RSAPrivateKey(pem: messy).publicKey == RSAPrivateKey(pem: clean).publicKey)
    }

    @Test("truncated DER is reported as malformed, not a crash")
    func truncatedDER() async throws {
        let pem = try await OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 2048).pkcs8)
        let der = try #require(PEMBlock.parseAll(pem).first).der
        for length in [1, 2, 4, 30, der.count / 2, der.count - 1] {
            let truncated = Self.pem(label: "PRIVATE KEY", der: Array(der.prefix(length)))
            let error = #expect(throws: KeyDecodingError.self) { try RSAPrivateKey(pem: truncated) }
            guard case .malformedDER? = error else {
                Issue.record("length \(length): expected malformedDER, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test("a PEM label of another kind names what was found and what is expected")
    func wrongLabel() async throws {
        let files = try await RSAOpenSSLTests.files(bits: 2048)
        #expect(throws: KeyDecodingError.unexpectedPEMLabel(found: ["PUBLIC KEY"],
                                                            expected: ["PRIVATE KEY", "RSA PRIVATE KEY"])) {
            try RSAPrivateKey(pem: OpenSSLKeys.text(of: files.spkiPublic))
        }
        #expect(throws: KeyDecodingError.unexpectedPEMLabel(found: ["PRIVATE KEY"],
                                                            expected: ["PUBLIC KEY", "RSA PUBLIC KEY"])) {
            try RSAPublicKey(pem: OpenSSLKeys.text(of: files.pkcs8))
        }
        #expect(throws: KeyDecodingError.noPEMBlock) { try RSAPrivateKey(pem: "not a key") }
        #expect(throws: KeyDecodingError.noPEMBlock) { try RSAPublicKey(pem: "") }
    }

    @Test("encrypted keys, PKCS#8 and legacy PKCS#1, get the decrypt hint")
    func encryptedKeys() async throws {
        let keys = try await OpenSSLKeys.get()
        for file in [keys.encryptedPKCS8, keys.encryptedTraditional] {
            let error = #expect(throws: KeyDecodingError.encryptedKey) { try RSAPrivateKey(pem: OpenSSLKeys.text(of: file)) }
            #expect(error?.description.hasPrefix("encrypted keys are not supported; decrypt with openssl pkey") == true)
        }
    }

    @Test("EC and Ed25519 keys are reported as not RSA, with their OID")
    func nonRSAKeys() async throws {
        let keys = try await OpenSSLKeys.get()
        let ec = #expect(throws: KeyDecodingError.notRSA(algorithm: "OID 1.2.840.10045.2.1, EC")) {
            try RSAPrivateKey(pem: OpenSSLKeys.text(of: keys.ecP256))
        }
        #expect(ec?.description.hasPrefix("key is not RSA (OID 1.2.840.10045.2.1") == true)
        #expect(throws: KeyDecodingError.notRSA(algorithm: "OID 1.3.101.112, Ed25519")) {
            try RSAPrivateKey(pem: OpenSSLKeys.text(of: keys.ed25519))
        }
        let ecPublic = try await OpenSSLKeys.openssl(["pkey", "-in", keys.ecP256.path, "-pubout"]).stdout
        #expect(throws: KeyDecodingError.notRSA(algorithm: "OID 1.2.840.10045.2.1, EC")) {
            try RSAPublicKey(pem: String(decoding: ecPublic, as: UTF8.self))
        }
        let ecTraditional = try await OpenSSLKeys.openssl(["pkey", "-in", keys.ecP256.path, "-traditional"]).stdout
        #expect(throws: KeyDecodingError.notRSA(algorithm: "PEM label EC PRIVATE KEY")) {
            try RSAPrivateKey(pem: String(decoding: ecTraditional, as: UTF8.self))
        }
    }

    @Test("keys under 2048 bits are refused (RFC 7518 §3.3)")
    func smallKey() async throws {
        let pem = try await OpenSSLKeys.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]).stdout
        let error = #expect(throws: KeyDecodingError.self) { try RSAPrivateKey(pem: String(decoding: pem, as: UTF8.self)) }
        #expect(error?.description.contains("1024 bits") == true)
    }

    @Test("inconsistent key numbers are caught at load time")
    func inconsistentComponents() async throws {
        let pem = try await OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 2048).pkcs1)
        let good = try RSAKeyComponents(pkcs1DER: #require(PEMBlock.parseAll(pem).first).der)
        #expect(throws: Never.self) { try RSAPrivateKey(components: good) }

        var badCoefficient = good
        badCoefficient.coefficient = good.coefficient + BigUInt(1)
        var badExponent = good
        badExponent.exponent1 = good.exponent1 + BigUInt(2)
        var badPrivateExponent = good
        badPrivateExponent.privateExponent = good.privateExponent + BigUInt(2)
        var swappedModulus = good
        swappedModulus.modulus = good.modulus + BigUInt(2)
        for components in [badCoefficient, badExponent, badPrivateExponent, swappedModulus] {
            let error = #expect(throws: KeyDecodingError.self) { try RSAPrivateKey(components: components) }
            guard case .invalidRSAKey? = error else {
                Issue.record("expected invalidRSAKey, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test("printing or dumping a private key shows only its size")
    func descriptionHidesKeyMaterial() async throws {
        let key = try await RSAPrivateKey(pem: OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 2048).pkcs8))
        #expect("\(key)" == "RSAPrivateKey(2048 bits)")
        #expect(String(reflecting: key) == "RSAPrivateKey(2048 bits)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("limbs"), "\(dumped)")
    }

    static func pem(label: String, der: [UInt8]) -> String {
        "-----BEGIN \(label)-----\n\(Data(der).base64EncodedString(options: .lineLength64Characters))\n-----END \(label)-----\n"
    }
}
