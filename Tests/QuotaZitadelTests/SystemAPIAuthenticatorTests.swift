import Foundation
import QuotaConfig
import QuotaCrypto
import Testing
@testable import QuotaZitadel

@Suite struct SystemAPIAuthenticatorTests {
    func claims(of header: String, key: RSAPublicKey) throws -> JSONValue {
        #expect(header.hasPrefix("Bearer "))
        let token = String(header.dropFirst(7))
        let bytes = try #require(JSONWebToken.verifyRS256(token, key: key), "JWT must verify with the public key")
        return try JSONValue.parse(bytes)
    }

    @Test(arguments: [2048, 4096], [true, false])
    func jwtVerifiesWithThePublicKeyAndHasTheSystemUserClaims(bits: Int, pkcs8: Bool) async throws {
        let keys = try await RSAKeyFixtures.get()
        let fixture = bits == 2048 ? keys.rsa2048 : keys.rsa4096
        let key = try RSAPrivateKey(pem: pkcs8 ? fixture.pkcs8 : fixture.pkcs1)
        let authenticator = SystemAPIAuthenticator(
            credentials: .signedJWT(userID: "quota-exporter", key: key, keyID: nil),
            url: HTTPURL(string: "https://zitadel.example.com:443/ignored/path")!, clock: { 1_800_000_000.7 }
        )
        let header = try authenticator.authorization()
        let claims = try claims(of: header, key: fixture.publicKey)
        #expect(claims == ["iss": "quota-exporter", "sub": "quota-exporter", "aud": "https://zitadel.example.com", "iat": 1_800_000_000, "exp": 1_800_000_900])

        // RSASSA-PKCS1-v1_5 is deterministic: the signature is openssl's, byte for byte.
        let parts = header.dropFirst(7).split(separator: ".")
        let openssl = try await RSAKeyFixtures.opensslSign(Array("\(parts[0]).\(parts[1])".utf8), keyPath: pkcs8 ? fixture.pkcs8Path : fixture.pkcs1Path)
        #expect(Base64URL.decode(parts[2]) == openssl)
    }

    @Test func audienceKeepsOnlyANonDefaultPort() {
        #expect(SystemAPIAuthenticator.audience(of: HTTPURL(string: "http://localhost:8080/")!) == "http://localhost:8080")
        #expect(SystemAPIAuthenticator.audience(of: HTTPURL(string: "HTTPS://zitadel.example.com")!) == "https://zitadel.example.com")
        #expect(SystemAPIAuthenticator.audience(of: HTTPURL(string: "http://zitadel.example.com:80")!) == "http://zitadel.example.com")
    }

    @Test func tokenIsReusedThenRenewedBeforeItExpires() async throws {
        let keys = try await RSAKeyFixtures.get()
        let clock = TestClock(1_800_000_000)
        let authenticator = SystemAPIAuthenticator(
            credentials: .signedJWT(userID: "u", key: try RSAPrivateKey(pem: keys.rsa2048.pkcs8), keyID: "k1"),
            url: HTTPURL(string: "https://z.example")!, clock: clock.function
        )
        let first = try authenticator.authorization()
        clock.set(1_800_000_000 + SystemAPIAuthenticator.lifetime - SystemAPIAuthenticator.renewBefore - 1)
        #expect(try authenticator.authorization() == first)
        clock.set(1_800_000_000 + SystemAPIAuthenticator.lifetime - SystemAPIAuthenticator.renewBefore + 1)
        let renewed = try authenticator.authorization()
        #expect(renewed != first)
        #expect(try claims(of: renewed, key: keys.rsa2048.publicKey)["exp"]?.doubleValue == clock.time.rounded(.down) + SystemAPIAuthenticator.lifetime)
        let header = try JSONValue.parse(Base64URL.decode(renewed.dropFirst(7).split(separator: ".")[0])!)
        #expect(header["kid"] == "k1")
    }

    @Test func tokenFileIsReadAgainAtEveryUse() async throws {
        let scratch = try ScratchDirectory()
        let path = try scratch.write("token", "first-token\n")
        let authenticator = SystemAPIAuthenticator(credentials: .tokenFile(path: path), url: HTTPURL(string: "https://z")!, clock: { 0 })
        #expect(try authenticator.authorization() == "Bearer first-token")
        try scratch.write("token", "rotated-token")
        #expect(try authenticator.authorization() == "Bearer rotated-token")
        try scratch.write("token", "  \n")
        #expect {
            _ = try authenticator.authorization()
        } throws: { error in
            let text = String(describing: error)
            return text.contains("is empty") && !text.contains("rotated")
        }
    }
}
