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
        var error = HuaweiErrorBody(code: Self.text(json["error_code"]), message: Self.text(json["error_msg"]))
        if error.code == nil, error.message == nil, let nested = json["error"] {
            error = HuaweiErrorBody(code: Self.text(nested["code"]), message: Self.text(nested["message"]) ?? Self.text(nested["title"]))
        }
        return error.code == nil && error.message == nil ? nil : error
    }

    /// `CODE: message`, or whichever of the two there is.
    var summary: String {
        [code, message].compactMap { $0 }.joined(separator: ": ")
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)? where !text.isEmpty: return text
        case .number(let number)?: return number.literal
        default: return nil
        }
    }
}
