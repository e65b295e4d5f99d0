import QuotaCollection

/// The arithmetic behind "one credential stays well under Cloudflare's
/// limit". Cloudflare allows 1200 calls per 5 minutes per user or token.
/// The cache calls each target at most once per `min_interval` whatever
/// the scrape rate, so a credential's steady rate is
/// Σ over its targets of 300 s / min_interval. At the default 60 s that is
/// 5 calls per target, 15 per account (three endpoints): the budget's
/// half, 600, is reached at 40 accounts. Beyond that the provider raises
/// the `min_interval` of the credential's targets that left it at the
/// default (`spread`), so the defaults stay under half the limit for any
/// number of accounts; where `min_interval` was set explicitly it warns
/// and names the value that would fit.
///
/// With `--cluster.replicas=N` every replica polls every target itself
/// with the same token, so each replica gets 1/N of that half: together
/// they stay under it.
struct CloudflareRateBudget: Sendable, Equatable {
    static let limitPerWindow = 1200.0
    static let window = 300.0
    /// Warn above this share of the limit, leaving room for retries on
    /// 5xx, the dashboard and other tools using the same user.
    static let warningShare = 0.5

    /// The credential's fingerprint (the rate-limit scope), never the secret.
    var scope: String
    var targets: Int
    var accounts: Int
    /// Calls per 5 minutes of one replica when every target refreshes at its min_interval.
    var callsPerWindow: Double
    /// Exporters polling the same targets with the same credential.
    var replicas = 1

    /// This replica's share of the warning level.
    var callsAllowedPerWindow: Double {
        Self.limitPerWindow * Self.warningShare / Double(max(1, replicas))
    }

    var exceedsWarningLevel: Bool {
        callsPerWindow > callsAllowedPerWindow
    }

    /// The smallest whole-second `min_interval` that, set on all these
    /// targets, keeps them at or under this replica's share.
    var suggestedMinInterval: Int {
        Int((Double(targets) * Self.window / callsAllowedPerWindow).rounded(.up))
    }

    /// One budget per credential among `targets`; non-Cloudflare targets are ignored.
    static func budgets(_ targets: [Target], replicas: Int = 1) -> [CloudflareRateBudget] {
        var byScope: [String: (targets: Int, accounts: Set<String>, calls: Double)] = [:]
        for target in targets {
            guard let collector = target.collector as? CloudflareCollector else { continue }
            let scope = collector.credential.rateLimitScope
            var entry = byScope[scope] ?? (0, [], 0)
            entry.targets += 1
            entry.accounts.insert(collector.accountID)
            entry.calls += window / max(1, target.settings.minInterval)
            byScope[scope] = entry
        }
        return byScope.map {
            CloudflareRateBudget(scope: $0.key, targets: $0.value.targets, accounts: $0.value.accounts.count, callsPerWindow: $0.value.calls, replicas: replicas)
        }
            .sorted { $0.scope < $1.scope }
    }

    /// What `spread` changed for one credential, for the log.
    struct Raise: Sendable, Equatable {
        var scope: String
        var targets: Int
        var minInterval: Double
    }

    /// Raises `min_interval` (and `max_staleness` with it, so values do not
    /// vanish between refreshes) on the targets of each over-budget
    /// credential whose `min_interval` is the default, to the interval at
    /// which the whole credential fits. Targets with an explicit
    /// `min_interval` are left alone (and warned about later).
    static func spread(_ targets: [Target], replicas: Int = 1) -> (targets: [Target], raises: [Raise]) {
        var adjusted = targets
        var raises: [Raise] = []
        for budget in budgets(targets, replicas: replicas) where budget.exceedsWarningLevel {
            let interval = Double(budget.suggestedMinInterval)
            var raised = 0
            for index in adjusted.indices {
                guard let collector = adjusted[index].collector as? CloudflareCollector,
                      collector.credential.rateLimitScope == budget.scope else { continue }
                var settings = adjusted[index].settings
                guard !settings.minIntervalIsExplicit, settings.minInterval < interval else { continue }
                settings.minInterval = interval
                settings.maxStaleness = max(settings.maxStaleness, 2 * interval)
                adjusted[index].settings = settings
                raised += 1
            }
            if raised > 0 {
                raises.append(Raise(scope: budget.scope, targets: raised, minInterval: interval))
            }
        }
        return (adjusted, raises)
    }
}
