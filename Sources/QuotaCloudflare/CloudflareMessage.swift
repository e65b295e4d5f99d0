import QuotaConfig

/// One item of an envelope's `errors` or `messages`. Endpoints differ:
/// most send `{code, message, error_chain?}`, Workers Builds sends plain
/// strings for `messages`; both are accepted.
struct CloudflareMessage: Sendable, Hashable, CustomStringConvertible {
    var code: Int?
    var message: String
    /// Nested causes, e.g. 6003 "Invalid request headers" caused by
    /// 6111 "Invalid format for Authorization header".
    var chain: [CloudflareMessage]

    init(code: Int?, message: String, chain: [CloudflareMessage] = []) {
        self.code = code
        self.message = message
        self.chain = chain
    }

    /// Nil for items that say nothing (neither code nor text).
    init?(_ value: JSONValue) {
        switch value {
        case .string(let text):
            self.init(code: nil, message: text)
        case .object:
            let code = value["code"]?.intValue
            let text = value["message"]?.stringValue ?? ""
            let chain = Self.list(value["error_chain"])
            guard code != nil || !text.isEmpty else { return nil }
            self.init(code: code, message: text, chain: chain)
        default:
            return nil
        }
    }

    /// The items of an `errors`/`messages` value; anything that is not an
    /// array (absent, null, an object) gives none.
    static func list(_ value: JSONValue?) -> [CloudflareMessage] {
        (value?.arrayValue ?? []).compactMap { CloudflareMessage($0) }
    }

    /// `code 10000: Authentication error`, messages capped so a verbose
    /// error cannot flood the log.
    var description: String {
        let text = message.count > 200 ? message.prefix(200) + "…" : message
        var out = code.map { "code \($0)" + (text.isEmpty ? "" : ": \(text)") } ?? String(text)
        if !chain.isEmpty {
            out += " (" + chain.prefix(3).map(\.description).joined(separator: "; ") + ")"
        }
        return out
    }

    /// This code and the codes of its chain.
    var allCodes: [Int] {
        (code.map { [$0] } ?? []) + chain.flatMap(\.allCodes)
    }
}
