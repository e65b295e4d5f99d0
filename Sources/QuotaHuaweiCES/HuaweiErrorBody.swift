import QuotaConfig

/// The error a Huawei Cloud service put in its response body, in whichever
/// of the shapes it uses:
///
/// - API Gateway and most services: `{"error_code": "APIGW.0301", "error_msg": "…"}`
/// - Keystone-style IAM and some CES answers: `{"error": {"code": 401, "message": "…", "title": "…"}}`
struct HuaweiErrorBody: Sendable, Equatable {
    var code: String?
    var message: String?

    /// Nil when the body is not JSON or has neither a code nor a message.
    static func parse(_ body: [UInt8]) -> HuaweiErrorBody? {
        guard let json = try? JSONValue.parse(body) else { return nil }
        var error = HuaweiErrorBody(code: Self.text(json["error_code"], limit: maxCodeLength), message: Self.text(json["error_msg"], limit: maxMessageLength))
        if error.code == nil, error.message == nil, let nested = json["error"] {
            error = HuaweiErrorBody(code: Self.text(nested["code"], limit: maxCodeLength), message: Self.text(nested["message"], limit: maxMessageLength) ?? Self.text(nested["title"], limit: maxMessageLength))
        }
        return error.code == nil && error.message == nil ? nil : error
    }

    /// `CODE: message`, or whichever of the two there is.
    var summary: String {
        [code, message].compactMap { $0 }.joined(separator: ": ")
    }

    /// Longest code and message kept, in characters: enough for any real
    /// answer, and a body of megabytes does not become a log line of megabytes.
    static let maxCodeLength = 64
    static let maxMessageLength = 300

    private static func text(_ value: JSONValue?, limit: Int) -> String? {
        let text: String
        switch value {
        case .string(let string)? where !string.isEmpty: text = string
        case .number(let number)?: text = number.literal
        default: return nil
        }
        return text.count > limit ? text.prefix(limit) + "…" : text
    }
}
