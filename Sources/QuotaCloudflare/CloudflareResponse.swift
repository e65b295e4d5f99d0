import QuotaCollection
import QuotaConfig

/// Maps a Cloudflare answer to the envelope's `result` or to the
/// `CollectorError` an SRE can act on, carrying Cloudflare's codes and
/// messages.
enum CloudflareResponse {
    /// Codes Cloudflare uses for rejected or missing credentials and missing
    /// permissions: 10000 "Authentication error"/"Forbidden", 9103 unknown
    /// X-Auth-Key or X-Auth-Email, 9106 missing auth headers, 9109
    /// unauthorized / invalid token, 6003 invalid request headers (in
    /// practice a malformed credential header).
    static let authCodes: Set<Int> = [6003, 9103, 9106, 9109, 10000]
    /// 7000 "No route for that URI", 7003 "Could not route ... perhaps your
    /// object identifier is invalid?": a wrong account ID or product path.
    static let routeCodes: Set<Int> = [7000, 7003]

    /// The envelope's `result` (nil when null or absent), or the error.
    /// Checked most specific first: a 429 is a rate limit whatever its
    /// body; a missing permission or a wrong account can come under any
    /// status, HTTP 200 included; only then does the bare status decide.
    static func result(
        of response: UpstreamResponse,
        endpoint: CloudflareEndpoint,
        credential: CloudflareCredential
    ) throws(CollectorError) -> JSONValue? {
        let status = response.status
        let succeeded = (200...299).contains(status)
        let envelope = CloudflareEnvelope(body: response.body)
        if succeeded, let envelope, !envelope.failed {
            return envelope.result
        }
        let words = envelope.map { (succeeded ? "success:false: " : "") + $0.summary } ?? "body: " + excerpt(response.body)

        if status == 429 {
            let wait = response.header("retry-after").map { "Retry-After: \($0)" } ?? "no Retry-After, default pause"
            throw CollectorError(.rateLimited, "Cloudflare rate limit: \(words); no calls with this \(credential.kind) until it passes (\(wait))", statusCode: status)
        }
        if status == 401 || status == 403 || isAuthFailure(envelope) {
            throw CollectorError(.auth, "\(words); \(endpoint.permissionHint(for: credential))", statusCode: status)
        }
        let unroutable = !(envelope?.errorCodes.isDisjoint(with: routeCodes) ?? true)
        if unroutable {
            throw CollectorError(.apiError, "\(words); check the account ID, and that the account uses \(endpoint.product)", statusCode: status)
        }
        // A 404 that Cloudflare routed (e.g. 12000 "Not found") is the
        // account not having the product, or the token not seeing it: the
        // fix is on the Cloudflare side, as with a missing permission.
        if status == 404 {
            throw CollectorError(.auth, "\(words); \(endpoint.permissionHint(for: credential))", statusCode: status)
        }
        if !succeeded {
            throw CollectorError(.http, words, statusCode: status)
        }
        if envelope == nil {
            throw CollectorError(.decode, "response is not a JSON object: \(excerpt(response.body))", statusCode: status)
        }
        throw CollectorError(.apiError, words, statusCode: status)
    }

    /// By code, or by the words Cloudflare uses when a code is missing.
    static func isAuthFailure(_ envelope: CloudflareEnvelope?) -> Bool {
        guard let envelope else { return false }
        if !envelope.errorCodes.isDisjoint(with: authCodes) {
            return true
        }
        return envelope.errors.contains { error in
            let text = error.message.lowercased()
            return text.contains("authentication error") || text.contains("forbidden") || text.contains("unauthorized")
        }
    }

    /// The start of a body that is not what the API documents, on one line.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "(empty)" }
        // By scalar: "\r\n" is one Character, which a Character-wise
        // replacement of "\r" or "\n" would not match.
        let decoded = String(decoding: body.prefix(160), as: UTF8.self)
        var text = ""
        text.unicodeScalars.append(contentsOf: decoded.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
        return "\"" + text + (body.count > 160 ? "…" : "") + "\""
    }
}
