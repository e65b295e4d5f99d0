import QuotaCollection
import QuotaConfig

/// ZITADEL's error answer through its gRPC gateway:
/// `{"code":6,"message":"Errors.Quota.AlreadyExists","details":[…]}`, where
/// `code` is the gRPC status code and `message` ZITADEL's own words.
struct ZitadelErrorBody: Sendable, Equatable {
    var code: Int?
    var message: String?

    init(code: Int?, message: String?) {
        self.code = code
        self.message = message
    }

    /// Lenient: a proxy's HTML page gives an empty body, not a failure.
    /// `secrets` are replaced in the message before it is cut to length.
    init(_ bytes: [UInt8], redacting secrets: [String] = []) {
        let document = try? JSONValue.parse(bytes)
        code = document?["code"]?.intValue
        message = document?["message"]?.stringValue.flatMap { text in
            let text = text.redacting(secrets)
            return text.isEmpty ? nil : text.count > Self.maxMessageLength ? text.prefix(Self.maxMessageLength) + "…" : text
        }
    }

    /// Longest message kept, in characters, so a huge body is not a huge log line.
    static let maxMessageLength = 300

    static let alreadyExists = 6
    static let unimplemented = 12

    /// gRPC code names, for messages people can search for.
    static func codeName(_ code: Int) -> String {
        switch code {
        case 1: "Canceled"
        case 2: "Unknown"
        case 3: "InvalidArgument"
        case 4: "DeadlineExceeded"
        case 5: "NotFound"
        case 6: "AlreadyExists"
        case 7: "PermissionDenied"
        case 8: "ResourceExhausted"
        case 9: "FailedPrecondition"
        case 10: "Aborted"
        case 11: "OutOfRange"
        case 12: "Unimplemented"
        case 13: "Internal"
        case 14: "Unavailable"
        case 15: "DataLoss"
        case 16: "Unauthenticated"
        default: "code \(code)"
        }
    }

    /// A failed call as a collector error carrying ZITADEL's message, with
    /// every one of `secrets` replaced before anything is cut to length.
    static func collectorError(call: String, response: UpstreamResponse, redacting secrets: [String]) -> CollectorError {
        let body = ZitadelErrorBody(response.body, redacting: secrets)
        var text = "\(call): "
        if let message = body.message {
            text += message
            if let code = body.code {
                text += " (gRPC \(codeName(code)))"
            }
        } else {
            let excerpt = response.bodyExcerpt(redacting: secrets)
            text += excerpt.isEmpty ? "HTTP \(response.status) with an empty body" : excerpt
        }
        let reason: CollectorError.Reason
        switch (response.status, body.code) {
        case (401, _), (403, _), (_, 16?), (_, 7?): reason = .auth
        case (429, _), (_, 8?): reason = .rateLimited
        case (_, _?) where body.message != nil: reason = .apiError
        default: reason = .http
        }
        return CollectorError(reason, text, statusCode: response.status).redacting(secrets)
    }
}
