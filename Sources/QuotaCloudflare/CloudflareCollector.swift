import QuotaCollection
import QuotaConfig

/// Collects one endpoint of one account: one GET, mapped to readings.
struct CloudflareCollector: Collector {
    let accountID: String
    let endpoint: CloudflareEndpoint
    let credential: CloudflareCredential
    let url: HTTPURL
    let client: UpstreamClient

    init(accountID: String, endpoint: CloudflareEndpoint, credential: CloudflareCredential, baseURL: HTTPURL, client: UpstreamClient) {
        self.accountID = accountID
        self.endpoint = endpoint
        self.credential = credential
        self.client = client
        // The account ID is validated hex, so the path needs no escaping.
        var base = baseURL.absoluteString
        while base.hasSuffix("/") {
            base.removeLast()
        }
        self.url = HTTPURL(string: "\(base)/accounts/\(accountID)/\(endpoint.path)")!
    }

    func collect() async throws(CollectorError) -> [QuotaReading] {
        do {
            return try await fetch()
        } catch {
            throw error.redacting(credential.secretValues)
        }
    }

    private func fetch() async throws(CollectorError) -> [QuotaReading] {
        let request = UpstreamRequest(
            url: url,
            headers: credential.headers + [("Accept", "application/json")],
            rateLimitScope: credential.rateLimitScope
        )
        var response = try await client.send(request)
        // Redacted before parsing: the messages are cut to length there, and
        // a secret straddling the cut would survive as a prefix.
        let text = String(decoding: response.body, as: UTF8.self)
        if credential.secretValues.contains(where: { !$0.isEmpty && text.contains($0) }) {
            response.body = Array(text.redacting(credential.secretValues).utf8)
        }
        guard let result = try CloudflareResponse.result(of: response, endpoint: endpoint, credential: credential) else {
            // success with `result: null` or no result: nothing to export,
            // and nothing invented; the target is up.
            return []
        }
        guard let fields = ResultFields(result, path: "result") else {
            throw CollectorError(.decode, "result: expected an object, found \(result.typeDescription)", statusCode: response.status)
        }
        return try endpoint.readings(from: fields)
    }

    /// Error text comes from the server; should anything in between echo
    /// the credential back, it is cut out before it can reach a log.
}
