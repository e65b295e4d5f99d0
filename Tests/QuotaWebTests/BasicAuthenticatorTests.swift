import QuotaCrypto
import Testing
@testable import QuotaWeb

@Suite struct BasicAuthenticatorTests {
    private func header(_ user: String, _ password: String) -> String {
        "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
    }

    private func authenticator(_ password: String = "pw") async throws -> BasicAuthenticator {
        let text = try #require(try await externalBcryptHashes(password).first?.hash)
        return BasicAuthenticator(users: ["prometheus": try #require(BcryptHash(text))])
    }

    @Test func allowsTheRightPasswordOnly() async throws {
        let auth = try await authenticator()
        #expect(await auth.check(authorization: header("prometheus", "pw")) == .allowed)
        #expect(await auth.check(authorization: header("prometheus", "wrong")) == .denied)
        #expect(await auth.check(authorization: header("someone", "pw")) == .denied)
        #expect(await auth.check(authorization: header("Prometheus", "pw")) == .denied, "user names are exact")
        #expect(await auth.check(authorization: nil) == .denied)
        #expect(await auth.check(authorization: "Basic %%%%") == .denied)
    }

    /// A second check of the same pair is answered from the cache: an entry
    /// planted for a wrong password is believed, which shows the cache is
    /// consulted before bcrypt.
    @Test func verifiedPairsAreCached() async throws {
        let auth = try await authenticator()
        #expect(auth.cache.count == 0)
        #expect(await auth.check(authorization: header("prometheus", "pw")) == .allowed)
        #expect(auth.cache.count == 1)
        #expect(await auth.check(authorization: header("prometheus", "pw")) == .allowed)
        #expect(auth.cache.count == 1)
        #expect(await auth.check(authorization: header("prometheus", "wrong")) == .denied)
        #expect(auth.cache.count == 2, "failures are cached too")

        let planted = VerifiedCredentialCache.key(user: Array("prometheus".utf8), hash: auth.users["prometheus"]!.text, password: Array("planted".utf8))
        auth.cache.record(true, for: planted)
        #expect(await auth.check(authorization: header("prometheus", "planted")) == .allowed)
    }

    /// An unknown user is checked against the decoy hash and never allowed,
    /// even with a cache entry that says the decoy matched.
    @Test func unknownUsersAreNeverAllowed() async throws {
        let auth = try await authenticator()
        let key = VerifiedCredentialCache.key(user: Array("ghost".utf8), hash: BasicAuthenticator.decoyHash, password: Array("x".utf8))
        auth.cache.record(true, for: key)
        #expect(await auth.check(authorization: header("ghost", "x")) == .denied)
    }

    @Test func cacheKeysNeverHoldThePassword() {
        let key = VerifiedCredentialCache.key(user: Array("u".utf8), hash: "h", password: Array("hunter2".utf8))
        #expect(key.count == 32)
        #expect(VerifiedCredentialCache.key(user: Array("ab".utf8), hash: "h", password: Array("c".utf8))
            != VerifiedCredentialCache.key(user: Array("a".utf8), hash: "h", password: Array("bc".utf8)))
    }

    @Test func cacheIsBounded() {
        let cache = VerifiedCredentialCache(capacity: 3)
        for index in 0..<10 {
            cache.record(false, for: [UInt8(index)])
        }
        #expect(cache.count == 3)
        #expect(cache.outcome(for: [9]) == false)
        #expect(cache.outcome(for: [0]) == nil, "the oldest entries made room")
        cache.record(true, for: [9])
        #expect(cache.outcome(for: [9]) == true)
        #expect(cache.count == 3)
    }
}
