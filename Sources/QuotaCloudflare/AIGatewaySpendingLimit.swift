import QuotaCollection
import QuotaExposition

/// `GET /accounts/{account_id}/ai-gateway/billing/spending-limit` (seed 003).
///
/// `config.amount` is in cents (the create call documents "in cents, min
/// 100"), exported in dollars because Prometheus wants a currency's base
/// unit. `enabled` says whether the limit is enforced. `duration` (daily,
/// weekly, monthly) and `strategy` (fixed, sliding) are strings and go on
/// `quota_info` as labels.
enum AIGatewaySpendingLimit {
    static let quota = "ai_gateway_spending"
    static let unit = "usd"
    static let infoLabels = ["duration", "strategy"]

    static func readings(from result: ResultFields) throws(CollectorError) -> [QuotaReading] {
        let config = try result.object("config")
        let cents = try config?.nonNegativeNumber("amount")
        let enabled = try result.bool("enabled")

        var info: [Label] = []
        for name in infoLabels {
            if let value = try config?.string(name) {
                info.append(Label(name, value))
            }
        }
        guard cents != nil || enabled != nil || !info.isEmpty else { return [] }
        return [QuotaReading(quota: quota, unit: unit, limit: cents.map { $0 / 100 }, enforced: enabled, info: info)]
    }
}
