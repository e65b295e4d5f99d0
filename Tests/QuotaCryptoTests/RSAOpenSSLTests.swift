import Foundation
import QuotaCrypto
import Testing

/// Our RSA against the real openssl: the same key must give byte-identical
/// signatures (PKCS#1 v1.5 is deterministic), and each side must verify the
/// other's.
/// Serialized: every test here waits for the one set of openssl keys,
/// and all of them resuming at once (RSA in a debug build) held both
/// cooperative threads for seconds, starving the timed server suites.
@Suite("RSA PKCS#1 v1.5 SHA-256 against openssl", .serialized)
struct RSAOpenSSLTests {
    static let messages: [[UInt8]] = [
        [],
        Array("hello".utf8),
        Array(#"{"iss":"quota_exporter","aud":"https://zitadel.example"}"#.utf8),
        (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) },
    ]

    @Test("signatures equal openssl's byte for byte, for PKCS#8 and PKCS#1 PEM", arguments: [2048, 4096])
    func signaturesMatchOpenSSL(bits: Int) async throws {
        let files = try await Self.files(bits: bits)
        let fromPKCS8 = try RSAPrivateKey(pem: OpenSSLKeys.text(of: files.pkcs8))
        let fromPKCS1 = try RSAPrivateKey(pem: OpenSSLKeys.text(of: files.pkcs1))
        #expect(fromPKCS8.bitCount == bits)
        #expect(fromPKCS1.publicKey == fromPKCS8.publicKey)

        for message in Self.messages {
            let expected = try await OpenSSLKeys.sign(message, key: files.pkcs8)
            #expect(expected.count == bits / 8)
            // Compared as hex so a failure prints two readable strings.
            #expect(try hex(fromPKCS8.signSHA256(message)) == hex(expected), "PKCS#8, \(message.count)-byte message")
            #expect(try hex(fromPKCS1.signSHA256(message)) == hex(expected), "PKCS#1, \(message.count)-byte message")
        }
    }

    @Test("our verifier and openssl's accept our signatures and reject tampering", arguments: [2048, 4096])
    func verification(bits: Int) async throws {
        let files = try await Self.files(bits: bits)
        let key = try RSAPrivateKey(pem: OpenSSLKeys.text(of: files.pkcs8))
        let spki = try RSAPublicKey(pem: OpenSSLKeys.text(of: files.spkiPublic))
        let pkcs1 = try RSAPublicKey(pem: OpenSSLKeys.text(of: files.pkcs1Public))
        #expect(spki == key.publicKey)
        #expect(pkcs1 == key.publicKey)
        #expect(spki.bitCount == bits)

        let message = Array("GET /quota HTTP/1.1".utf8)
        let signature = try key.signSHA256(message)
        #expect(spki.verifySHA256(signature: signature, message: message))
        #expect(try await OpenSSLKeys.verify(signature, message: message, publicKey: files.spkiPublic))

        var tamperedMessage = message
        tamperedMessage[0] ^= 0x01
        #expect(!spki.verifySHA256(signature: signature, message: tamperedMessage))
        #expect(try await !OpenSSLKeys.verify(signature, message: tamperedMessage, publicKey: files.spkiPublic))

        var tamperedSignature = signature
        tamperedSignature[tamperedSignature.count / 2] ^= 0x80
        #expect(!spki.verifySHA256(signature: tamperedSignature, message: message))
        #expect(!spki.verifySHA256(signature: Array(signature.dropFirst()), message: message))
        #expect(!spki.verifySHA256(signature: [0] + signature, message: message))
        // A "signature" at or above the modulus is invalid by definition.
        #expect(!spki.verifySHA256(signature: [UInt8](repeating: 0xff, count: bits / 8), message: message))

        let other = try await RSAPublicKey(pem: OpenSSLKeys.text(of: Self.files(bits: bits == 2048 ? 4096 : 2048).spkiPublic))
        #expect(!other.verifySHA256(signature: signature, message: message))
    }

    @Test("an openssl signature verifies with our verifier")
    func verifiesOpenSSLSignature() async throws {
        let files = try await Self.files(bits: 2048)
        let message = Array("signed by openssl".utf8)
        let signature = try await OpenSSLKeys.sign(message, key: files.pkcs1)
        let publicKey = try RSAPublicKey(pem: OpenSSLKeys.text(of: files.pkcs1Public))
        #expect(publicKey.verifySHA256(signature: signature, message: message))
    }

    static func files(bits: Int) async throws -> OpenSSLKeys.RSAKeyFiles {
        let keys = try await OpenSSLKeys.get()
        return bits == 2048 ? keys.rsa2048 : keys.rsa4096
    }
}
