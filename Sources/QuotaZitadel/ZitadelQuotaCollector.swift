#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuotaCollection

/// The `quotas` collector of an instance: readings from the configuration
/// and the stored notifications, with no network call (ZITADEL has no API
/// that reads usage).
struct ZitadelQuotaCollector: Collector {
    let instance: ZitadelInstance
    let store: StateStore
    let clock: @Sendable () -> Double
    /// The entry's path in the configuration, for a state file error found
    /// once the configuration is applied.
    var configPath = ""

    func collect() async throws(CollectorError) -> [QuotaReading] {
        let notifications: [ZitadelNotification]
        do {
            notifications = try store.notifications(for: instance.instanceID)
        } catch {
            throw CollectorError(.internal, "state file unusable: \(error)")
        }
        let now = clock()
        return instance.quotas.map { Self.reading($0, notifications: notifications, now: now) }
    }

    /// Usage is the highest usage reported for the current period. Within a
    /// period usage only grows, so that is the latest report even when
    /// ZITADEL delivers a retried notification late. With no report yet in
    /// the period it is 0: a lower bound, since ZITADEL reports only at
    /// the configured percentages.
    static func reading(_ quota: ZitadelQuota, notifications: [ZitadelNotification], now: Double) -> QuotaReading {
        let period = quota.currentPeriod(now: now)
        let usage = notifications
            .filter { $0.unit == quota.unit && period.begins(at: $0.periodStart) }
            .map(\.usage)
            .max() ?? 0
        let amount = Double(quota.amount)
        let used = Double(usage)
        return QuotaReading(
            quota: quota.unit.quotaName,
            unit: quota.unit.metricUnit,
            limit: amount,
            usage: used,
            remaining: max(0, amount - used),
            resetTimestamp: period.end,
            periodStartTimestamp: period.start,
            exhausted: used >= amount,
            enforced: quota.limit
        )
    }
}
