import QuotaConfig
import QuotaCrypto

/// How requests authenticate: an API token (preferred), or the legacy
/// Global API key with its user's email.
enum CloudflareCredential: Sendable, Hashable {
    case apiToken(Secret)
    case globalAPIKey(email: Secret, key: Secret)

    /// The headers that carry the credential; the only place it is revealed.
    var headers: [(name: String, value: String)] {
        switch self {
        case .apiToken(let token):
            [("Authorization", "Bearer " + token.revealed)]
        case .globalAPIKey(let email, let key):
            [("X-Auth-Email", email.revealed), ("X-Auth-Key", key.revealed)]
        }
    }

    /// The `Retry-After` scope: after a 429 no request with this credential
    /// is sent until it passes, whichever account it is for, because
    /// Cloudflare counts its 1200 calls per 5 minutes per user or token, not
    /// per account. A Global API key acts as its user, so the scope is the
    /// email. Only a short SHA-256 fingerprint is kept, never the secret.
    var rateLimitScope: String {
        let material: String
        switch self {
        case .apiToken(let token): material = "token:" + token.revealed
        case .globalAPIKey(let email, _): material = "user:" + email.revealed.lowercased()
        }
        return "cloudflare:" + String(hex(SHA256.hash(Array(material.utf8))).prefix(12))
    }

    /// The secret strings, so that anything echoed back by a proxy or a
    /// misbehaving server can be removed from messages before logging.
    var secretValues: [String] {
        switch self {
        case .apiToken(let token): [token.revealed]
        case .globalAPIKey(let email, let key): [key.revealed, email.revealed]
        }
    }

    /// For log lines: which kind, never the value.
    var kind: String {
        switch self {
        case .apiToken: "API token"
        case .globalAPIKey: "Global API key"
        }
    }
}
