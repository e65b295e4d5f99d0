import QuotaCollection
import QuotaConfig

/// One configured Cloudflare account: which endpoints to read, with which
/// credential, from which API.
struct CloudflareAccount: Sendable {
    static let defaultBaseURL = HTTPURL(string: "https://api.cloudflare.com/client/v4")!

    var id: String
    var credential: CloudflareCredential
    var endpoints: [CloudflareEndpoint]
    var baseURL: HTTPURL

    init(id: String, credential: CloudflareCredential, endpoints: [CloudflareEndpoint] = CloudflareEndpoint.allCases, baseURL: HTTPURL = Self.defaultBaseURL) {
        self.id = id
        self.credential = credential
        self.endpoints = endpoints
        self.baseURL = baseURL
    }

    /// Reads one entry of the `cloudflare` list:
    /// `account_id`, `api_token`/`api_token_file` or `api_email` + `api_key`
    /// (each also `*_file` or `${ENV}`), `collectors`, `base_url`.
    init(entry: ConfigObject) throws(ConfigError) {
        id = try entry.required("account_id", CloudflareAccountID.configType)
        credential = try Self.credential(entry)
        baseURL = try entry.optional("base_url", .url) ?? Self.defaultBaseURL
        endpoints = try entry.optional("collectors", Self.collectors) ?? CloudflareEndpoint.allCases
    }

    /// A non-empty subset of the endpoint names; an unknown name fails
    /// with the list of allowed ones.
    static let collectors = ConfigType<[CloudflareEndpoint]>.array(of: .oneOf(CloudflareEndpoint.self), minCount: 1)
        .map { (list, context) throws(ConfigError) -> [CloudflareEndpoint] in
            guard Set(list).count == list.count else { throw context.error("lists a collector twice") }
            return list
        }

    private static func credential(_ entry: ConfigObject) throws(ConfigError) -> CloudflareCredential {
        let token = try entry.optionalSecret("api_token")
        let email = try entry.optionalSecret("api_email")
        let key = try entry.optionalSecret("api_key")
        switch (token, email, key) {
        case (let token?, nil, nil):
            return .apiToken(token)
        case (nil, let email?, let key?):
            return .globalAPIKey(email: email, key: key)
        case (.some, _, _):
            throw ConfigError(path: entry.path, message: "give either api_token or api_email + api_key, not both")
        case (nil, .some, nil):
            throw ConfigError(path: entry.path, message: "api_email needs api_key (or api_key_file), the Global API key")
        case (nil, nil, .some):
            throw ConfigError(path: entry.path, message: "api_key needs api_email, the email of the key's user")
        case (nil, nil, nil):
            throw ConfigError(path: entry.path, message: "missing api_token (or api_token_file); or api_email + api_key for a Global API key")
        }
    }

    /// One target per endpoint, so each has its own `collector_up`.
    func targets(common: TargetCommon, client: UpstreamClient) -> [Target] {
        endpoints.map { endpoint in
            Target(
                identity: TargetIdentity(provider: CloudflareProvider.providerName, account: id, collector: endpoint.rawValue),
                labels: common.labels,
                settings: common.settings,
                collector: CloudflareCollector(accountID: id, endpoint: endpoint, credential: credential, baseURL: baseURL, client: client)
            )
        }
    }
}
