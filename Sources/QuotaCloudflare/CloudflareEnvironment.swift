import QuotaText
import QuotaConfig

/// Accounts described by environment variables, for running without a
/// configuration file:
///
/// - `CLOUDFLARE_ACCOUNT_ID`: one account ID, or several separated by commas.
/// - `CLOUDFLARE_API_TOKEN` or `CLOUDFLARE_API_TOKEN_FILE`; or the legacy
///   `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY` (or `CLOUDFLARE_API_KEY_FILE`).
/// - `CLOUDFLARE_BASE_URL` (optional).
///
/// The names are the ones Cloudflare's SDKs and wrangler read, so an
/// environment set up for them works here too. Empty variables count as unset.
enum CloudflareEnvironment {
    static let accountIDs = "CLOUDFLARE_ACCOUNT_ID"
    static let token = "CLOUDFLARE_API_TOKEN"
    static let email = "CLOUDFLARE_EMAIL"
    static let apiKey = "CLOUDFLARE_API_KEY"
    static let baseURL = "CLOUDFLARE_BASE_URL"
    static let path = "environment"

    /// No Cloudflare variable at all gives no accounts; a half-set
    /// environment is an error naming the missing variable.
    static func accounts(_ environment: ConfigEnvironment) throws(ConfigError) -> [CloudflareAccount] {
        let variables = environment.variables.filter { !$0.value.trimmingWhitespace().isEmpty }
        let credential = try self.credential(variables, environment)
        guard let list = variables[accountIDs] else {
            if credential != nil {
                throw ConfigError(path: path, message: "Cloudflare credentials are set but \(accountIDs) is not: set it to the account ID (comma-separated for several accounts)")
            }
            return []
        }
        guard let credential else {
            throw ConfigError(path: path, message: "\(accountIDs) is set but \(token) is not: set \(token) (or \(token)_FILE), or \(email) + \(apiKey)")
        }
        let base = try self.base(variables)
        var seen: Set<String> = []
        var accounts: [CloudflareAccount] = []
        for (index, raw) in list.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let id = raw.trimmingWhitespace()
            if let problem = CloudflareAccountID.problem(id) {
                throw ConfigError(path: path, message: "\(accountIDs), item \(index + 1): \(problem)")
            }
            guard seen.insert(id).inserted else {
                throw ConfigError(path: path, message: "\(accountIDs), item \(index + 1): account \(id) is listed twice")
            }
            accounts.append(CloudflareAccount(id: id, credential: credential, baseURL: base))
        }
        return accounts
    }

    /// The API token wins over a Global API key when both are set: it is
    /// the scheme Cloudflare recommends, and a shell may well carry both.
    private static func credential(_ variables: [String: String], _ environment: ConfigEnvironment) throws(ConfigError) -> CloudflareCredential? {
        if let token = try secret(token, variables, environment) {
            return .apiToken(token)
        }
        let key = try secret(apiKey, variables, environment)
        switch (variables[email], key) {
        case (let email?, let key?):
            return .globalAPIKey(email: Secret(email), key: key)
        case (.some, nil):
            throw ConfigError(path: path, message: "\(email) is set but \(apiKey) is not (or set \(token) instead)")
        case (nil, .some):
            throw ConfigError(path: path, message: "\(apiKey) is set but \(email) is not: a Global API key needs its user's email")
        case (nil, nil):
            return nil
        }
    }

    /// `NAME` or `NAME_FILE` (the file's content, trimmed), not both.
    private static func secret(_ name: String, _ variables: [String: String], _ environment: ConfigEnvironment) throws(ConfigError) -> Secret? {
        let fileName = name + "_FILE"
        switch (variables[name], variables[fileName]) {
        case (.some, .some):
            throw ConfigError(path: path, message: "set either \(name) or \(fileName), not both")
        case (let value?, nil):
            return Secret(value.trimmingWhitespace())
        case (nil, let file?):
            let bytes: [UInt8]
            do {
                bytes = try environment.readFile(file)
            } catch {
                let reason = (error as? FileReadError)?.reason ?? String(describing: error)
                throw ConfigError(path: path, message: "\(fileName): cannot read \"\(file)\": \(reason)")
            }
            let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            guard !text.isEmpty else { throw ConfigError(path: path, message: "\(fileName): file \"\(file)\" is empty") }
            return Secret(text)
        case (nil, nil):
            return nil
        }
    }

    private static func base(_ variables: [String: String]) throws(ConfigError) -> HTTPURL {
        guard let text = variables[baseURL] else { return CloudflareAccount.defaultBaseURL }
        guard let url = HTTPURL(string: text) else {
            throw ConfigError(path: path, message: "\(baseURL): expected an absolute http:// or https:// URL with a host")
        }
        return url
    }
}
