import QuotaConfig

/// Cloudflare account IDs are 32 lowercase hex characters (the API's
/// `maxLength: 32`; every ID Cloudflare issues is an MD5-style hex string).
/// Checking that at load time catches a pasted zone ID with a slash, a
/// name instead of an ID, or a token in the wrong field, and makes the ID
/// safe to put into a URL path as it is.
enum CloudflareAccountID {
    /// Nil when `text` is valid; otherwise why not. The text itself is not
    /// repeated: a token pasted into the wrong field must not reach a log.
    static func problem(_ text: String) -> String? {
        let hexDigits = "0123456789abcdef"
        guard text.utf8.count == 32 else {
            return "expected a Cloudflare account ID: 32 lowercase hex characters, found \(text.count) characters"
        }
        guard text.allSatisfy({ hexDigits.contains($0) }) else {
            return "expected a Cloudflare account ID: 32 lowercase hex characters (0-9, a-f), found other characters"
        }
        return nil
    }

    static let configType: ConfigType<String> = ConfigType<String>.string.map { (text, context) throws(ConfigError) -> String in
        if let problem = problem(text) {
            throw context.error(problem)
        }
        return text
    }
}
