import Foundation
import QuotaCollection
import QuotaConfig

/// Fetches a project-scoped token with an IAM user's password:
/// `POST {iam}/v3/auth/tokens`, the token in the `X-Subject-Token` header,
/// its expiry in the body's `token.expires_at`.
struct IAMTokenClient: Sendable {
    let client: UpstreamClient

    /// Without `expires_at` (never seen, but not worth failing over) the
    /// token is assumed to live one hour.
    static let assumedLifetime: TimeInterval = 3600

    func fetch(_ credentials: IAMPasswordCredentials, projectID: String, now: Date) async throws(CollectorError) -> IAMToken {
        guard let url = URL(string: credentials.endpoint + "/v3/auth/tokens") else {
            throw CollectorError(.internal, "invalid IAM endpoint \(credentials.endpoint)")
        }
        let request = UpstreamRequest(
            method: "POST",
            url: url,
            headers: [(name: "Content-Type", value: "application/json;charset=utf8")],
            body: Array(Self.body(credentials, projectID: projectID).serialized().utf8),
            rateLimitScope: "iam-tokens:" + credentials.rateLimitScope
        )
        let response = try await client.send(request)
        guard (200..<300).contains(response.status) else {
            var error = HuaweiErrorMapping.collectorError(response, service: "IAM")
            error.message = "token request for user \"\(credentials.user)\" of domain \"\(credentials.domain)\": " + error.message
            throw error
        }
        guard let token = response.header("x-subject-token"), !token.isEmpty else {
            throw CollectorError(.decode, "IAM answered HTTP \(response.status) without an X-Subject-Token header", statusCode: response.status)
        }
        let expiresAt = Self.expiry(answer: response.body) ?? now.addingTimeInterval(Self.assumedLifetime)
        return IAMToken(value: Secret(token), fetchedAt: now, expiresAt: expiresAt)
    }

    /// `token.expires_at` of the answer's body, nil when missing or not a
    /// timestamp; on its own so the fuzz harness reaches it without a server.
    static func expiry(answer body: [UInt8]) -> Date? {
        (try? JSONValue.parse(body))?["token"]?["expires_at"]?.stringValue.flatMap(RFC3339.parse)
    }

    /// The password method, scoped to the project whose quotas are read.
    static func body(_ credentials: IAMPasswordCredentials, projectID: String) -> JSONValue {
        let user: JSONValue = [
            "name": .string(credentials.user),
            "password": .string(credentials.password.revealed),
            "domain": ["name": .string(credentials.domain)],
        ]
        return [
            "auth": [
                "identity": ["methods": ["password"], "password": ["user": user]],
                "scope": ["project": ["id": .string(projectID)]],
            ],
        ]
    }
}
