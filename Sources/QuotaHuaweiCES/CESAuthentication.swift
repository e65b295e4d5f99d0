import QuotaConfig
import QuotaCrypto

/// How a target proves who it is: exactly one of the two ways CES accepts.
enum CESAuthentication: Sendable {
    /// Permanent (or, with a security token, temporary) access key pair;
    /// every request is signed with SDK-HMAC-SHA256.
    case accessKey(AccessKeyCredentials)
    /// An IAM user's password, exchanged for a project-scoped token.
    case iamPassword(IAMPasswordCredentials)

    /// The secret strings, removed from error messages before they are
    /// logged in case a proxy or server echoes a request back.
    var secretValues: [String] {
        switch self {
        case .accessKey(let keys): [keys.secretKey.revealed, keys.securityToken?.revealed ?? ""]
        case .iamPassword(let credentials): [credentials.password.revealed]
        }
    }
}

struct AccessKeyCredentials: Sendable {
    var accessKey: Secret
    var secretKey: Secret
    /// Set for temporary credentials (STS); sent as `X-Security-Token`.
    var securityToken: Secret?

    /// Requests signed with one key share one `Retry-After` block. The
    /// scope is a hash prefix, so the key itself never becomes a map key
    /// that could be dumped.
    var rateLimitScope: String {
        "ak:" + hex(SHA256.hash(Array(accessKey.revealed.utf8))).prefix(16)
    }
}

struct IAMPasswordCredentials: Sendable {
    /// Base URL of IAM, e.g. `https://iam.ap-southeast-1.myhuaweicloud.com`.
    var endpoint: String
    /// The account (domain) name the IAM user belongs to.
    var domain: String
    var user: String
    var password: Secret

    var rateLimitScope: String {
        "iam:" + hex(SHA256.hash(Array("\(endpoint)\n\(domain)\n\(user)".utf8))).prefix(16)
    }
}
