import QuotaCrypto

/// How the exporter proves to ZITADEL's system API that it is a system user.
public enum SystemAPICredentials: Sendable {
    /// A JWT signed with RS256 by the system user's RSA key, made here and
    /// renewed before it expires. ZITADEL knows the user from its runtime
    /// configuration (`SystemAPIUsers`), with the public key.
    case signedJWT(userID: String, key: RSAPrivateKey, keyID: String?)
    /// A ready bearer token in a file, read again at every use so that a
    /// token rotated by another process is picked up without a reload.
    case tokenFile(path: String)
}
