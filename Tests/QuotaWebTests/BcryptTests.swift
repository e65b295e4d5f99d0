import LoopbackSupport
import Testing
@testable import QuotaWeb

@Suite struct BcryptTests {
    @Test func libcryptLoads() {
        #expect(LibCrypt.loadError == nil)
    }

    /// Hashes made by Python's bcrypt (and htpasswd when present) verify
    /// with the right password and not with a wrong one.
    @Test func externalHashesVerify() async throws {
        let password = "correct horse battery staple ✓"
        let hashes = try await externalBcryptHashes(password)
        #expect(!hashes.isEmpty, "python3 could make no bcrypt hash")
        for (maker, text) in hashes {
            let hash = try #require(BcryptHash(text), "\(maker) made \(text)")
            #expect(hash.cost == 4)
            #expect(BasicAuthenticator.verify(password: Array(password.utf8), hash: text), "\(maker)")
            #expect(!BasicAuthenticator.verify(password: Array("correct horse battery stapl".utf8), hash: text), "\(maker)")
            #expect(!BasicAuthenticator.verify(password: [], hash: text), "\(maker)")
        }
    }

    /// `$2y$` is what htpasswd writes; libcrypt and Go read it as `$2b$`.
    @Test func twoYVariantVerifies() async throws {
        let hashes = try await externalBcryptHashes("pw")
        let made = try #require(hashes.first { $0.hash.hasPrefix("$2b$") }?.hash)
        let twoY = "$2y$" + made.dropFirst(4)
        #expect(BasicAuthenticator.verify(password: Array("pw".utf8), hash: twoY))
    }

    /// bcrypt only reads 72 bytes; a longer password is refused rather than
    /// matching whatever shares its first 72 bytes.
    @Test func passwordsOverSeventyTwoBytesAreRefused() async throws {
        let long = String(repeating: "a", count: 72)
        let hashes = try await externalBcryptHashes(long)
        let hash = try #require(hashes.first?.hash)
        #expect(BasicAuthenticator.verify(password: Array(long.utf8), hash: hash))
        #expect(!BasicAuthenticator.verify(password: Array((long + "b").utf8), hash: hash))
    }

    @Test func passwordWithNULIsRefused() {
        #expect(LibCrypt.hash(password: [0x61, 0, 0x62], setting: BasicAuthenticator.decoyHash) == .failure(.refused))
    }

    @Test func hashShapesAreChecked() {
        let good = "$2b$04$" + String(repeating: "a", count: 53)
        #expect(BcryptHash(good)?.cost == 4)
        #expect(BcryptHash("$2y$10$" + String(repeating: "Z", count: 53))?.cost == 10)
        #expect(BcryptHash("$2x$04$" + String(repeating: "a", count: 53)) == nil, "$2x$ is the buggy variant")
        #expect(BcryptHash("$2b$03$" + String(repeating: "a", count: 53)) == nil, "cost below 4")
        #expect(BcryptHash("$2b$32$" + String(repeating: "a", count: 53)) == nil, "cost above 31")
        #expect(BcryptHash("$2b$04$" + String(repeating: "a", count: 52)) == nil, "too short")
        #expect(BcryptHash("$2b$04$" + String(repeating: "a", count: 52) + "!") == nil, "not bcrypt's base64")
        #expect(BcryptHash("$6$salt$hash") == nil, "sha512-crypt")
        #expect(BcryptHash("secret") == nil, "a plain password")
        #expect(BcryptHash(BasicAuthenticator.decoyHash) != nil)
    }

    /// The decoy hash is a real bcrypt hash at cost 10, so an unknown user
    /// costs what a known one does.
    @Test func decoyHashIsComputable() async throws {
        let result = try await offPool { LibCrypt.hash(password: Array("x".utf8), setting: BasicAuthenticator.decoyHash) }
        guard case .success(let computed) = result else {
            Issue.record("libcrypt refused the decoy hash")
            return
        }
        #expect(computed.count == 60)
        #expect(computed.starts(with: Array("$2b$10$".utf8)))
    }
}
