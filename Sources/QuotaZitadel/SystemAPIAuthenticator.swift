#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCollection
import QuotaConcurrency
import QuotaConfig
import QuotaCrypto
import QuotaText

/// Produces the `Authorization` header value for system API calls.
///
/// Signed JWTs: `iss` = `sub` = the user id, `aud` = the ZITADEL URL as we
/// reach it (scheme, host, non-default port), `iat`, and `exp` a quarter of
/// an hour later. A token is reused until five minutes before it expires,
/// so one signature serves a provisioning round and a clock a little off
/// never presents an expired token.
final class SystemAPIAuthenticator: Sendable {
    static let lifetime: Double = 15 * 60
    static let renewBefore: Double = 5 * 60

    let credentials: SystemAPICredentials
    let audience: String
    private let clock: @Sendable () -> Double
    private let cached = Locked<(token: String, expires: Double)?>(nil)

    init(credentials: SystemAPICredentials, url: HTTPURL, clock: @escaping @Sendable () -> Double) {
        self.credentials = credentials
        self.audience = Self.audience(of: url)
        self.clock = clock
    }

    /// `scheme://host[:port]`, the port only when it is not the scheme's default.
    static func audience(of url: HTTPURL) -> String {
        let scheme = url.scheme
        var text = scheme + "://" + (url.host.contains(":") ? "[\(url.host)]" : url.host)
        if let port = url.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            text += ":\(port)"
        }
        return text
    }

    func authorization() throws(CollectorError) -> String {
        switch credentials {
        case .signedJWT(let userID, let key, let keyID):
            return "Bearer " + (try jwt(userID: userID, key: key, keyID: keyID))
        case .tokenFile(let path):
            let bytes: [UInt8]
            do {
                bytes = try ConfigEnvironment.readFileFromDisk(path)
            } catch {
                throw CollectorError(.auth, "cannot read token_file \(path): \(error.reason)")
            }
            let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            guard !token.isEmpty else { throw CollectorError(.auth, "token_file \(path) is empty") }
            return "Bearer " + token
        }
    }

    private func jwt(userID: String, key: RSAPrivateKey, keyID: String?) throws(CollectorError) -> String {
        let now = clock()
        let result: Result<String, RSASigningError> = cached.withLock { cached in
            if let current = cached, current.expires - now > Self.renewBefore {
                return .success(current.token)
            }
            let issuedAt = Int64(now.rounded(.down))
            let expires = issuedAt + Int64(Self.lifetime)
            let claims: JSONValue = [
                "iss": .string(userID),
                "sub": .string(userID),
                "aud": .string(audience),
                "iat": .number(JSONNumber(issuedAt)),
                "exp": .number(JSONNumber(expires)),
            ]
            let token: String
            do throws(RSASigningError) {
                token = try JSONWebToken.signRS256(claimsJSON: Array(claims.serialized().utf8), key: key, keyID: keyID)
            } catch {
                return .failure(error)
            }
            cached = (token, Double(expires))
            return .success(token)
        }
        switch result {
        case .success(let token): return token
        case .failure(let error): throw CollectorError(.auth, "cannot sign the system API token: \(error)")
        }
    }
}
