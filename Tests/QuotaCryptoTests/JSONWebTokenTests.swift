import Foundation
import QuotaCrypto
import Testing

/// Serialized: every test here waits for the one set of openssl keys,
/// and all of them resuming at once (RSA in a debug build) held both
/// cooperative threads for seconds, starving the timed server suites.
@Suite("JWT RS256", .serialized)
struct JSONWebTokenTests {
    static let claims = Array(#"{"iss":"quota_exporter","sub":"quota_exporter","aud":"https://zitadel.example","exp":1893456000}"#.utf8)

    @Test("signs, and the signature equals openssl's over header.claims")
    func matchesOpenSSL() async throws {
        let files = try await RSAOpenSSLTests.files(bits: 2048)
        let key = try RSAPrivateKey(pem: OpenSSLKeys.text(of: files.pkcs8))
        let token = try JSONWebToken.signRS256(claimsJSON: Self.claims, key: key)

        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        #expect(Base64URL.decode(parts[0]) == Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        #expect(Base64URL.decode(parts[1]) == Self.claims)
        let expected = try await OpenSSLKeys.sign(Array("\(parts[0]).\(parts[1])".utf8), key: files.pkcs8)
        #expect(Base64URL.decode(parts[2]).map { hex($0) } == hex(expected))

        #expect(JSONWebToken.verifyRS256(token, key: key.publicKey) == Self.claims)
    }

    @Test("the key ID is added to the header and JSON-escaped")
    func keyID() async throws {
        let key = try await RSAPrivateKey(pem: OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 2048).pkcs1))
        let keyID = "key \"7\"\\\n"
        let token = try JSONWebToken.signRS256(claimsJSON: Self.claims, key: key, keyID: keyID)
        let header = try #require(Base64URL.decode(token.split(separator: ".")[0]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: String])
        #expect(object == ["alg": "RS256", "typ": "JWT", "kid": keyID])
        #expect(JSONWebToken.verifyRS256(token, key: key.publicKey) == Self.claims)
    }

    @Test("tampered, re-algorithmed, malformed or foreign tokens are rejected")
    func rejections() async throws {
        let key = try await RSAPrivateKey(pem: OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 2048).pkcs8))
        let otherKey = try await RSAPrivateKey(pem: OpenSSLKeys.text(of: RSAOpenSSLTests.files(bits: 4096).pkcs8))
        let token = try JSONWebToken.signRS256(claimsJSON: Self.claims, key: key)
        let parts = token.split(separator: ".").map(String.init)

        let forgedClaims = Base64URL.encode(#"{"iss":"attacker"}"#.utf8)
        let noneHeader = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#.utf8)
        let critHeader = Base64URL.encode(#"{"alg":"RS256","crit":["x"],"x":1}"#.utf8)
        let rejected = [
            "\(parts[0]).\(forgedClaims).\(parts[2])",
            "\(noneHeader).\(parts[1]).",
            "\(noneHeader).\(parts[1]).\(parts[2])",
            "\(critHeader).\(parts[1]).\(parts[2])",
            "\(parts[0]).\(parts[1])",
            "\(token).extra",
            "\(parts[0]).\(parts[1]).\(parts[2])=",
            "",
        ]
        for candidate in rejected {
            #expect(JSONWebToken.verifyRS256(candidate, key: key.publicKey) == nil, "\(candidate.prefix(60))")
        }
        #expect(JSONWebToken.verifyRS256(token, key: otherKey.publicKey) == nil)
    }
}
