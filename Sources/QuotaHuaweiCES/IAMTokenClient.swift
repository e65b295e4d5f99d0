import QuotaCollection
import QuotaConfig
import QuotaTime

/// Fetches a project-scoped token with an IAM user's password:
/// `POST {iam}/v3/auth/tokens`, the token in the `X-Subject-Token` header,
/// its expiry in the body's `token.expires_at`.
struct IAMTokenClient: Sendable {
    let client: UpstreamClient

    /// Without `expires_at` (never seen, but not worth failing over) the
    /// token is assumed to live one hour.
    static let assumedLifetime: Double = 3600
    /// IAM tokens live 24 hours; a later `expires_at` (a wrong clock, a
    /// broken answer) is cut to that, so a token is never kept for years.
    static let maxLifetime: Double = 86_400

    func fetch(_ credentials: IAMPasswordCredentials, projectID: String, now: Double) async throws(CollectorError) -> IAMToken {
        guard let url = HTTPURL(string: credentials.endpoint + "/v3/auth/tokens") else {
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
            var error = HuaweiErrorMapping.collectorError(response, service: "IAM", redacting: [credentials.password.revealed])
            error.message = "token request for user \"\(credentials.user)\" of domain \"\(credentials.domain)\": " + error.message
            throw error
        }
        guard let token = response.header("x-subject-token"), !token.isEmpty else {
            throw CollectorError(.decode, "IAM answered HTTP \(response.status) without an X-Subject-Token header", statusCode: response.status)
        }
        let expiresAt = try Self.expiry(response.body) ?? now + Self.assumedLifetime
        return IAMToken(value: Secret(token), fetchedAt: now, expiresAt: min(expiresAt, now + Self.maxLifetime))
    }

    /// `token.expires_at` as Unix seconds; nil when the body or the field is
    /// missing, an error naming the field when it is there but not a date.
    static func expiry(_ body: [UInt8]) throws(CollectorError) -> Double? {
        guard let field = (try? JSONValue.parse(body))?["token"]?["expires_at"], !field.isNull else { return nil }
        guard let text = field.stringValue else {
            throw CollectorError(.decode, "IAM answer: token.expires_at: expected a string, found \(field.typeDescription)")
        }
        do {
            return try RFC3339.parse(text)
        } catch {
            throw CollectorError(.decode, "IAM answer: token.expires_at: not an RFC 3339 date-time (\(error))")
        }
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
