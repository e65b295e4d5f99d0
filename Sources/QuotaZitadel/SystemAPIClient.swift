import Foundation
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

    let url: URL
    let instanceID: String
    let http: UpstreamClient
    let authenticator: SystemAPIAuthenticator

    var quotasURL: URL {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + "/system/v1/instances/\(instanceID)/quotas")!
    }

    /// `PUT /system/v1/instances/{id}/quotas`: creates or replaces the quota of its unit.
    func setQuota(_ quota: ZitadelQuota, callURL: String) async throws(CollectorError) -> SetOutcome {
        let response = try await send("PUT", quota.requestBody(callURL: callURL))
        if (200...299).contains(response.status) { return .applied }
        let body = ZitadelErrorBody(response.body)
        let routingNotFound = response.status == 404 && (body.message == nil || body.message == "Not Found")
        if response.status == 405 || response.status == 501 || body.code == ZitadelErrorBody.unimplemented || routingNotFound {
            return .unsupported
        }
        throw ZitadelErrorBody.collectorError(call: "SetQuota \(quota.unit.quotaName)", response: response)
    }

    /// `POST /system/v1/instances/{id}/quotas` (deprecated AddQuota): creates
    /// the quota; AlreadyExists counts as success.
    func addQuota(_ quota: ZitadelQuota, callURL: String) async throws(CollectorError) -> AddOutcome {
        let response = try await send("POST", quota.requestBody(callURL: callURL))
        if (200...299).contains(response.status) { return .created }
        // The gateway maps gRPC Aborted (10) to 409 as well: only
        // AlreadyExists, or a 409 that names no code, means "already there".
        let code = ZitadelErrorBody(response.body).code
        if code == ZitadelErrorBody.alreadyExists || (response.status == 409 && code == nil) {
            return .alreadyExists
        }
        throw ZitadelErrorBody.collectorError(call: "AddQuota \(quota.unit.quotaName)", response: response)
    }

    private func send(_ method: String, _ body: JSONValue) async throws(CollectorError) -> UpstreamResponse {
        let request = UpstreamRequest(
            method: method,
            url: quotasURL,
            headers: [
                ("Authorization", try authenticator.authorization()),
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
        return try await http.send(request)
    }
}
