import QuotaCollection
import QuotaConfig
import QuotaLogging

/// Collects one project's CES quotas: one signed (or token-authenticated)
/// `GET /V1.0/{project_id}/quotas`.
struct CESCollector: Collector {
    let configuration: CESTargetConfiguration
    let client: UpstreamClient
    let tokens: IAMTokenCache
    let logger: Logger
    let clock: @Sendable () -> Double

    func collect() async throws(CollectorError) -> [QuotaReading] {
        do {
            return try await fetch()
        } catch {
            throw error.redacting(configuration.authentication.secretValues)
        }
    }

    private func fetch() async throws(CollectorError) -> [QuotaReading] {
        let url = try quotasURL()
        let response: UpstreamResponse
        var secrets = configuration.authentication.secretValues
        switch configuration.authentication {
        case .accessKey(let keys):
            let request = signedRequest(url, keys)
            response = try await client.send(request)
            // The signature is replayable until the signed date goes stale.
            secrets += request.headers.filter { $0.name == "Authorization" }.flatMap { header in
                [header.value] + header.value.split(separator: "Signature=", omittingEmptySubsequences: false).dropFirst().map(String.init)
            }
        case .iamPassword(let credentials):
            let answer = try await sendWithToken(url, credentials)
            response = answer.response
            secrets.append(answer.token)
        }
        guard (200..<300).contains(response.status) else {
            throw HuaweiErrorMapping.collectorError(response, service: "CES", redacting: secrets)
        }
        return try CESQuotaResponse.readings(response.body, region: configuration.region, logger: logger)
    }

    /// `{endpoint}/V1.0/{project_id}/quotas`, with an explicit default port
    /// removed so that the `Host` header the client sends is exactly the
    /// one that was signed.
    func quotasURL() throws(CollectorError) -> HTTPURL {
        let endpoint = configuration.endpoint
        var text = endpoint.scheme + "://"
        if let userInfo = endpoint.userInfo { text += userInfo + "@" }
        text += Self.hostHeader(endpoint)
        var base = endpoint.path
        while base.hasSuffix("/") {
            base.removeLast()
        }
        text += base + "/V1.0/" + SDKPercentEncoding.encode(configuration.projectID) + "/quotas"
        guard let url = HTTPURL(string: text) else {
            throw CollectorError(.internal, "invalid CES endpoint")
        }
        return url
    }

    /// `host` or `host:port`, as HTTP clients put it in the `Host` header.
    /// An explicit default port is left out, as HTTP clients do.
    static func hostHeader(_ url: HTTPURL) -> String {
        let host = url.host
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let port = url.port, !(url.scheme == "https" && port == 443), !(url.scheme == "http" && port == 80) else { return bracketed }
        return "\(bracketed):\(port)"
    }

    func signedRequest(_ url: HTTPURL, _ keys: AccessKeyCredentials) -> UpstreamRequest {
        var headers: [(name: String, value: String)] = [
            (name: "Host", value: Self.hostHeader(url)),
            (name: "X-Project-Id", value: configuration.projectID),
        ]
        if let token = keys.securityToken {
            headers.append((name: "X-Security-Token", value: token.revealed))
        }
        let added = SDKSigner.sign(
            method: "GET", url: url, headers: headers, body: [],
            accessKey: keys.accessKey.revealed, secretKey: keys.secretKey, date: clock()
        )
        // Host is left to the HTTP client, which sends the same value.
        let sent = headers.filter { $0.name != "Host" } + added
        // The names only: the values include the signature and the token.
        let signedNames = (headers.map { $0.name.lowercased() } + ["x-sdk-date"]).sorted().joined(separator: ";")
        logger.debug("calling CES", ["url": url.absoluteString, "auth": "aksk", "signed_headers": signedNames])
        return UpstreamRequest(url: url, headers: sent, rateLimitScope: "ces:" + keys.rateLimitScope)
    }

    func tokenRequest(_ url: HTTPURL, _ token: IAMToken, _ credentials: IAMPasswordCredentials) -> UpstreamRequest {
        UpstreamRequest(url: url, headers: [(name: "X-Auth-Token", value: token.value.revealed)], rateLimitScope: "ces:" + credentials.rateLimitScope)
    }

    /// With a cached token; when CES answers 401 (token revoked early by a
    /// password or permission change), fetches one new token and retries once.
    /// Returns the token sent last too, for redacting an error body.
    func sendWithToken(_ url: HTTPURL, _ credentials: IAMPasswordCredentials) async throws(CollectorError) -> (response: UpstreamResponse, token: String) {
        let key = IAMTokenCache.Key(credentials, projectID: configuration.projectID)
        let issuer = IAMTokenClient(client: client)
        let projectID = configuration.projectID
        let clock = self.clock
        let fetch: @Sendable () async throws(CollectorError) -> IAMToken = { () async throws(CollectorError) -> IAMToken in
            try await issuer.fetch(credentials, projectID: projectID, now: clock())
        }
        let token = try await tokens.token(for: key, fetch: fetch)
        logger.debug("calling CES", ["url": url.absoluteString, "auth": "iam_token"])
        let response = try await client.send(tokenRequest(url, token, credentials))
        guard response.status == 401 else { return (response, token.value.revealed) }
        // The logger already carries project_id.
        logger.info("CES rejected the IAM token; requesting a new one and retrying once", [
            "error": (HuaweiErrorBody.parse(response.body)?.summary ?? "").redacting([token.value.revealed, credentials.password.revealed]),
        ])
        let fresh = try await tokens.token(for: key, rejected: token.value, fetch: fetch)
        return (try await client.send(tokenRequest(url, fresh, credentials)), fresh.value.revealed)
    }
}
