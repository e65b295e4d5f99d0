import QuotaCollection
import QuotaConfig
import QuotaLogging

/// Cloudflare: the Zero Trust DEX commands quota, the Workers Builds
/// limits and the AI Gateway spending limit of any number of accounts.
///
/// ```json
/// "cloudflare": [
///   {"account_id": "01a7362d577a6c3019a474fd6f485823", "api_token_file": "/run/secrets/cloudflare"},
///   {"account_id": "…", "api_token": "${CF_OTHER_TOKEN}", "collectors": ["ai_gateway_spending"]}
/// ]
/// ```
///
/// One instance lives for the process, and with it the HTTP client whose
/// `Retry-After` blocks (per credential) survive reloads.
public struct CloudflareProvider: Provider {
    static let providerName = "cloudflare"

    public let name = Self.providerName
    private let client: UpstreamClient
    private let logger: Logger
    /// `--cluster.replicas`: each replica gets this share of the budget.
    private let replicas: Int

    public init(context: ProviderContext) {
        // Cloudflare blocks a credential for five minutes after it crosses
        // the limit; calling earlier only meets the block again.
        self.client = context.makeClient(provider: Self.providerName, defaultRateLimitBlock: 300)
        self.logger = context.logger.with(["provider": Self.providerName])
        self.replicas = context.replicas
    }

    /// `quota_info` carries `duration` and `strategy` for the AI Gateway
    /// limit; a static label of the same name would make that series invalid.
    public var reservedLabels: Set<String> {
        Set(AIGatewaySpendingLimit.infoLabels)
    }

    public var setupHint: String {
        "cloudflare: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (comma-separated), or list accounts under \"cloudflare\" in the config file (account_id, api_token_file)."
    }

    public func targets(from entry: ConfigObject, common: TargetCommon) throws(ConfigError) -> [Target] {
        try CloudflareAccount(entry: entry).targets(common: common, client: client.forEntry(common))
    }

    public func environmentTargets(_ environment: ConfigEnvironment, common: TargetCommon) throws(ConfigError) -> [Target] {
        try CloudflareEnvironment.accounts(environment).flatMap { $0.targets(common: common, client: client) }
    }

    /// Keeps each credential under half of Cloudflare's 1200 calls per 5
    /// minutes by raising the default `min_interval` of accounts sharing it;
    /// see `CloudflareRateBudget`.
    public func settle(_ targets: [Target]) -> [Target] {
        let (settled, raises) = CloudflareRateBudget.spread(targets, replicas: replicas)
        for raise in raises {
            var fields: [(String, String)] = [
                ("credential", raise.scope),
                ("targets", String(raise.targets)),
                ("min_interval", "\(Int(raise.minInterval))s"),
                ("limit_per_5m", String(Int(CloudflareRateBudget.limitPerWindow))),
            ]
            if replicas > 1 { fields.append(("replicas", String(replicas))) }
            logger.log(.info, "many Cloudflare targets share one credential; min_interval raised to stay under the API rate limit", fields: fields)
        }
        return settled
    }

    /// Warns when the accounts sharing one credential would still use more
    /// than half of Cloudflare's 1200 calls per 5 minutes: only where
    /// `min_interval` was set explicitly, which `settle` leaves alone.
    public func configurationApplied(_ targets: [Target]) async {
        for budget in CloudflareRateBudget.budgets(targets, replicas: replicas) where budget.exceedsWarningLevel {
            var fields: [(String, String)] = [
                ("credential", budget.scope),
                ("accounts", String(budget.accounts)),
                ("targets", String(budget.targets)),
                ("calls_per_5m", String(Int(budget.callsPerWindow.rounded(.up)))),
                ("limit_per_5m", String(Int(CloudflareRateBudget.limitPerWindow))),
            ]
            if replicas > 1 {
                fields.append(("replicas", String(replicas)))
                fields.append(("calls_per_5m_all_replicas", String(Int((budget.callsPerWindow * Double(replicas)).rounded(.up)))))
            }
            fields.append(("suggested_min_interval", "\(budget.suggestedMinInterval)s"))
            logger.log(.warn, "Cloudflare targets sharing one credential may exceed the API rate limit; raise min_interval", fields: fields)
        }
    }
}
