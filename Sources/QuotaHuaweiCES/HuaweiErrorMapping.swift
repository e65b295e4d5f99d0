import QuotaCollection

/// Turns a non-2xx answer from CES or IAM into a `CollectorError` whose
/// message carries Huawei's own words (error code and message) and the
/// request ID support asks for, and never anything we sent.
enum HuaweiErrorMapping {
    /// `secrets` are replaced in the body before it is parsed and cut to
    /// length, so no prefix of one survives at the cut.
    static func collectorError(_ response: UpstreamResponse, service: String, redacting secrets: [String] = []) -> CollectorError {
        var response = response
        if secrets.contains(where: { !$0.isEmpty }) {
            response.body = Array(String(decoding: response.body, as: UTF8.self).redacting(secrets).utf8)
        }
        let body = HuaweiErrorBody.parse(response.body)
        var message = "\(service) answered HTTP \(response.status)"
        if let body {
            message += ": " + body.summary
        } else if !response.body.isEmpty {
            message += ": " + oneLine(response.bodyExcerpt)
        }
        if let requestID = response.header("x-request-id"), !requestID.isEmpty {
            message += " (request id \(requestID))"
        }
        if let retryAfter = response.header("retry-after") {
            message += " (Retry-After: \(retryAfter))"
        }
        return CollectorError(reason(status: response.status, code: body?.code), message, statusCode: response.status).redacting(secrets)
    }

    /// API Gateway codes `APIGW.03xx` are authentication and authorization
    /// failures (0301 bad signature or token, 0302/0303 denied…), except
    /// 0308, its throttling code; they decide over the HTTP status.
    static func reason(status: Int, code: String?) -> CollectorError.Reason {
        if let code = code?.uppercased() {
            if code == "APIGW.0308" { return .rateLimited }
            if code.hasPrefix("APIGW.03") { return .auth }
        }
        switch status {
        case 401, 403: return .auth
        case 429: return .rateLimited
        case 408: return .timeout
        case 500...599: return .http
        case 400...499: return code == nil ? .http : .apiError
        default: return .http
        }
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
