import QuotaConfig

/// The wrapper every Cloudflare v4 response has:
/// `{success, errors[], messages[], result, result_info?}`, read leniently:
/// unknown fields are ignored, `errors`/`messages` may hold objects or
/// strings, `result` may be null or absent.
struct CloudflareEnvelope: Sendable {
    /// Nil when the body did not say.
    var success: Bool?
    var errors: [CloudflareMessage]
    var messages: [CloudflareMessage]
    /// Nil when absent or `null`.
    var result: JSONValue?

    /// Nil when `body` is not a JSON object.
    init?(body: [UInt8]) {
        guard let document = try? JSONValue.parse(body), document.objectValue != nil else { return nil }
        success = document["success"]?.boolValue
        errors = CloudflareMessage.list(document["errors"])
        messages = CloudflareMessage.list(document["messages"])
        result = document["result"].flatMap { $0.isNull ? nil : $0 }
    }

    /// `success: false`, or no `success` at all but errors: Cloudflare's way
    /// of failing, even under HTTP 200.
    var failed: Bool {
        success.map { !$0 } ?? !errors.isEmpty
    }

    /// Every code in `errors`, nested chains included.
    var errorCodes: Set<Int> {
        Set(errors.flatMap(\.allCodes))
    }

    /// Cloudflare's own words for the log: the errors, then any messages.
    var summary: String {
        var parts: [String] = []
        if !errors.isEmpty {
            parts.append(Self.join(errors))
        }
        if !messages.isEmpty {
            parts.append("messages: " + Self.join(messages))
        }
        return parts.isEmpty ? "Cloudflare gave no error details" : parts.joined(separator: "; ")
    }

    private static func join(_ items: [CloudflareMessage]) -> String {
        let shown = items.prefix(5).map(\.description).joined(separator: "; ")
        return items.count > 5 ? shown + "; and \(items.count - 5) more" : shown
    }
}
