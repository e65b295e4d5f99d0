import QuotaCollection

/// The three Cloudflare endpoints the exporter reads, one target each per
/// account so that each has its own `collector_up`. The raw value is the
/// name used in `collectors` in the configuration and in the `collector`
/// label.
public enum CloudflareEndpoint: String, Sendable, CaseIterable {
    case dexCommands = "dex_commands"
    case workersBuilds = "workers_builds"
    case aiGatewaySpending = "ai_gateway_spending"

    /// The path below `/accounts/{account_id}/`.
    var path: String {
        switch self {
        case .dexCommands: "dex/commands/quota"
        case .workersBuilds: "builds/account/limits"
        case .aiGatewaySpending: "ai-gateway/billing/spending-limit"
        }
    }

    /// The read permission an API token needs, named as in the dashboard,
    /// so the log line tells the operator exactly what to grant.
    var permission: String {
        switch self {
        case .dexCommands: "Cloudflare DEX Read"
        case .workersBuilds: "Workers CI Read"
        case .aiGatewaySpending: "AI Gateway Read"
        }
    }

    /// Other permissions the endpoint accepts (seed pages, "at least one").
    var otherPermissions: [String] {
        switch self {
        case .dexCommands: ["Cloudflare DEX Write", "Zero Trust Read", "Zero Trust Report"]
        case .workersBuilds: ["Workers CI Write"]
        case .aiGatewaySpending: ["AI Gateway Write"]
        }
    }

    /// The product the account must use for the endpoint to answer.
    var product: String {
        switch self {
        case .dexCommands: "Zero Trust DEX"
        case .workersBuilds: "Workers Builds"
        case .aiGatewaySpending: "AI Gateway"
        }
    }

    /// Turns the envelope's `result` object into readings.
    func readings(from result: ResultFields) throws(CollectorError) -> [QuotaReading] {
        switch self {
        case .dexCommands: try DEXCommandsQuota.readings(from: result)
        case .workersBuilds: try WorkersBuildsLimits.readings(from: result)
        case .aiGatewaySpending: try AIGatewaySpendingLimit.readings(from: result)
        }
    }

    /// What to tell the operator when Cloudflare refuses the call.
    func permissionHint(for credential: CloudflareCredential) -> String {
        switch credential {
        case .apiToken:
            "the API token needs the \"\(permission)\" permission on this account"
                + " (or one of: \(otherPermissions.joined(separator: ", ")))"
                + ", and the account must use \(product)"
        case .globalAPIKey:
            "the user of this Global API key needs access to this account, and the account must use \(product)"
        }
    }
}
