#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCollection
import QuotaConfig

/// The two system API calls the exporter makes, for one instance.
struct SystemAPIClient: Sendable {
    enum SetOutcome: Sendable, Equatable {
        case applied
        /// The server predates SetQuota (it answered 405/501, gRPC
        /// Unimplemented, or a routing 404): use AddQuota.
        case unsupported
    }

    enum AddOutcome: Sendable, Equatable {
        case created
        case alreadyExists
    }

    let url: HTTPURL
    let instanceID: String
    let http: UpstreamClient
    let authenticator: SystemAPIAuthenticator

    var quotasURL: HTTPURL {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return HTTPURL(string: base + "/system/v1/instances/\(instanceID)/quotas")!
    }

    /// `PUT /system/v1/instances/{id}/quotas`: creates or replaces the quota of its unit.
    func setQuota(_ quota: ZitadelQuota, callURLs: [String]) async throws(CollectorError) -> SetOutcome {
        let (response, authorization) = try await send("PUT", quota.requestBody(callURLs: callURLs))
        if (200...299).contains(response.status) { return .applied }
        let body = ZitadelErrorBody(response.body)
        let routingNotFound = response.status == 404 && (body.message == nil || body.message == "Not Found")
        if response.status == 405 || response.status == 501 || body.code == ZitadelErrorBody.unimplemented || routingNotFound {
            return .unsupported
        }
        throw ZitadelErrorBody.collectorError(
            call: "SetQuota \(quota.unit.quotaName)", response: response, redacting: Self.secrets(authorization: authorization, callURLs: callURLs))
    }

    /// `POST /system/v1/instances/{id}/quotas` (deprecated AddQuota): creates
    /// the quota; AlreadyExists counts as success.
    func addQuota(_ quota: ZitadelQuota, callURLs: [String]) async throws(CollectorError) -> AddOutcome {
        let (response, authorization) = try await send("POST", quota.requestBody(callURLs: callURLs))
        if (200...299).contains(response.status) { return .created }
        // The gateway maps gRPC Aborted (10) to 409 as well: only
        // AlreadyExists, or a 409 that names no code, means "already there".
        let code = ZitadelErrorBody(response.body).code
        if code == ZitadelErrorBody.alreadyExists || (response.status == 409 && code == nil) {
            return .alreadyExists
        }
        throw ZitadelErrorBody.collectorError(
            call: "AddQuota \(quota.unit.quotaName)", response: response, redacting: Self.secrets(authorization: authorization, callURLs: callURLs))
    }

    /// What an error body must not repeat: a server (or a proxy) that echoes
    /// the request would otherwise put the bearer token and the receiver
    /// secret into the log and onto the status page. The token is redacted
    /// whole, without `Bearer `, and by its signature alone (a JWT's header
    /// and claims are not secret, its signature makes it usable); the
    /// receiver secret is the `callURL`'s last path segment, redacted alone
    /// so an echo with escaped slashes (`https:\/\/…`) is covered too.
    static func secrets(authorization: String, callURLs: [String]) -> [String] {
        var secrets = [authorization]
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : authorization
        secrets.append(token)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2].count >= 16 {
            secrets.append(String(parts[2]))
        }
        for callURL in callURLs {
            secrets.append(callURL)
            if let secret = callURL.split(separator: "/").last {
                secrets.append(String(secret))
            }
        }
        // Longest first, so a secret inside another is not left half-replaced.
        return secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    private func send(_ method: String, _ body: JSONValue) async throws(CollectorError) -> (UpstreamResponse, authorization: String) {
        let authorization = try authenticator.authorization()
        let request = UpstreamRequest(
            method: method,
            url: quotasURL,
            headers: [
                ("Authorization", authorization),
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ],
            body: Array(body.serialized().utf8),
            // One system user spans every instance of a ZITADEL, so a 429 pauses them all.
            rateLimitScope: "zitadel:" + SystemAPIAuthenticator.audience(of: url),
            // The provisioning loop retries with its own backoff; a 501 from
            // an old server must reach us at once, not after client retries.
            retryable: false
        )
        do {
            return (try await http.send(request), authorization)
        } catch {
            throw error.redacting(Self.secrets(authorization: authorization, callURLs: []))
        }
    }
}
